//! Files attached to a concern. Pictures are re-drawn, which drops everything hidden in
//! them (camera, place, time, author); no well-kept Rust crate removes every hidden detail
//! from a PDF, so PDFs are kept as they are and the page says so. Files are recognised by
//! their contents, never by their name or the browser's word, and get a plain new name,
//! because "ruth-smith-notes.pdf" would identify someone.

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use serde::{Deserialize, Serialize};
use std::io::Cursor;

pub const MAX_FILES: usize = 3;
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Pdf,
    Text,
}

impl Kind {
    fn sniff(bytes: &[u8]) -> Option<Kind> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Kind::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Kind::Png)
        } else if bytes.starts_with(b"%PDF-") {
            Some(Kind::Pdf)
        } else if std::str::from_utf8(bytes).is_ok_and(|t| !t.contains('\0')) {
            Some(Kind::Text)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Pdf => "application/pdf",
            Kind::Text => "text/plain; charset=utf-8",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::Pdf => "pdf",
            Kind::Text => "txt",
        }
    }
}

/// A file ready to encrypt: cleaned, with a plain name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    pub name: String,
    pub kind: Kind,
    pub bytes: Vec<u8>,
}

/// Why a file was refused, in words for the person who chose it.
pub fn clean(number: usize, bytes: &[u8]) -> Result<Cleaned, String> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "File {number} is bigger than 5MB. Choose a smaller file"
        ));
    }
    let kind = Kind::sniff(bytes).ok_or_else(|| {
        format!("File {number} must be a photo (JPG or PNG), a PDF or a text file")
    })?;
    let cleaned = match kind {
        Kind::Jpeg | Kind::Png => redraw(bytes, kind).map_err(|_| {
            format!("File {number} could not be read as a picture. Try another file")
        })?,
        Kind::Pdf | Kind::Text => bytes.to_vec(),
    };
    Ok(Cleaned {
        name: format!("attachment-{number}.{}", kind.extension()),
        kind,
        bytes: cleaned,
    })
}

/// Decodes and encodes a picture again. Only pixels survive; the way up is kept.
fn redraw(bytes: &[u8], kind: Kind) -> image::ImageResult<Vec<u8>> {
    let format = if kind == Kind::Jpeg {
        ImageFormat::Jpeg
    } else {
        ImageFormat::Png
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // A tiny file can claim a vast picture; refuse before allocating it.
    let mut limits = Limits::default();
    limits.max_image_width = Some(10_000);
    limits.max_image_height = Some(10_000);
    limits.max_alloc = Some(300 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    let orientation = decoder.orientation()?;
    let mut picture = DynamicImage::from_decoder(decoder)?;
    picture.apply_orientation(orientation);
    let mut out = Vec::new();
    match kind {
        Kind::Jpeg => image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&picture.to_rgb8())?,
        _ => picture.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)?,
    }
    Ok(out)
}

#[derive(Serialize, Deserialize)]
struct Header {
    name: String,
    content_type: String,
}

/// What is encrypted: a one-line JSON header, then the file.
pub fn pack(file: &Cleaned) -> Vec<u8> {
    let header = serde_json::to_string(&Header {
        name: file.name.clone(),
        content_type: file.kind.content_type().into(),
    })
    .unwrap_or_default();
    let mut out = header.into_bytes();
    out.push(b'\n');
    out.extend_from_slice(&file.bytes);
    out
}

/// The file's name, type and contents, from decrypted bytes.
pub fn unpack(plain: &[u8]) -> Option<(String, String, &[u8])> {
    let split = plain.iter().position(|b| *b == b'\n')?;
    let header: Header = serde_json::from_slice(&plain[..split]).ok()?;
    Some((header.name, header.content_type, &plain[split + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(format: ImageFormat) -> Vec<u8> {
        let picture = DynamicImage::new_rgb8(4, 3);
        let mut out = Vec::new();
        picture
            .write_to(&mut Cursor::new(&mut out), format)
            .unwrap_or_else(|e| panic!("{e}"));
        out
    }

    #[test]
    fn hidden_text_in_a_photo_is_dropped() {
        let mut jpeg = picture(ImageFormat::Jpeg);
        // A JPEG comment segment, where cameras and editors leave names.
        let comment = b"Taken by Ruth Reporter";
        let mut segment = vec![0xFF, 0xFE, 0, (comment.len() + 2) as u8];
        segment.extend_from_slice(comment);
        jpeg.splice(2..2, segment);
        assert!(jpeg.windows(4).any(|w| w == b"Ruth"));
        let cleaned = clean(1, &jpeg).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (cleaned.kind, cleaned.name.as_str()),
            (Kind::Jpeg, "attachment-1.jpg")
        );
        assert!(!cleaned.bytes.windows(4).any(|w| w == b"Ruth"));
        assert!(image::load_from_memory(&cleaned.bytes).is_ok());
    }

    #[test]
    fn files_are_known_by_their_contents() {
        assert_eq!(
            clean(1, &picture(ImageFormat::Png)).map(|c| c.kind),
            Ok(Kind::Png)
        );
        assert_eq!(clean(2, b"%PDF-1.7 ...").map(|c| c.kind), Ok(Kind::Pdf));
        assert_eq!(
            clean(3, b"just some notes").map(|c| c.name),
            Ok("attachment-3.txt".into())
        );
        assert!(
            clean(1, &[0x4D, 0x5A, 0x00, 0x01]).is_err(),
            "a program is refused"
        );
        assert!(
            clean(1, &[0xFF, 0xD8, 0xFF, 0x00, 0x01]).is_err(),
            "a broken picture is refused"
        );
        assert!(clean(1, &vec![b'a'; MAX_FILE_BYTES + 1]).is_err());
    }

    #[test]
    fn packing_round_trips() {
        let file = Cleaned {
            name: "attachment-1.txt".into(),
            kind: Kind::Text,
            bytes: b"line one\nline two".to_vec(),
        };
        let packed = pack(&file);
        let (name, content_type, bytes) = unpack(&packed).unwrap_or_else(|| panic!("unpack"));
        assert_eq!(
            (name.as_str(), content_type.as_str(), bytes),
            (
                "attachment-1.txt",
                "text/plain; charset=utf-8",
                &b"line one\nline two"[..]
            )
        );
    }
}
