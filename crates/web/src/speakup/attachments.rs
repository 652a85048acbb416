//! Files attached to a concern. Pictures are re-drawn, which drops everything hidden in
//! them (camera, place, time, author); no well-kept Rust crate removes every hidden detail
//! from a PDF, so PDFs are kept as they are and the page says so. Files are recognised by
//! their contents, never by their name or the browser's word, and get a plain new name,
//! because "ruth-smith-notes.pdf" would identify someone.

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

pub const MAX_FILES: usize = 3;
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_TOTAL_BYTES: usize = 10 * 1024 * 1024;
/// A 292 KB file can declare 10,000 x 10,000 pixels and take hundreds of MB to redraw.
/// 40 megapixels is more than a phone camera's usual photo.
pub const MAX_PIXELS: u64 = 40_000_000;
/// The most memory a picture may take once decoded. Pixels alone are not enough: a 310 KB
/// 16-bit picture of 6,320 x 6,320 is under 40 megapixels but takes 320 MB, and redrawing
/// it held a place for minutes. 40 megapixels of ordinary colour (3 bytes each) fit.
pub const MAX_DECODED_BYTES: u64 = 120_000_000;
/// The most memory reading a picture's header may take: its colour profile, unpacked, is
/// read with the header, and a 1 MB profile can unpack to a gigabyte.
const HEADER_BYTES: u64 = 16 * 1024 * 1024;
/// Pictures redrawn at once, per server.
pub const PICTURES_AT_ONCE: usize = 2;

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

/// A file that passed every check that needs no decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    number: usize,
    kind: Kind,
    bytes: Vec<u8>,
}

impl Accepted {
    /// Whether making it safe means redrawing it (slow, memory-hungry, done a few at a time).
    pub fn is_picture(&self) -> bool {
        matches!(self.kind, Kind::Jpeg | Kind::Png)
    }
}

/// Every limit that can be checked without decoding: how many files, each one's size,
/// their total, what they are, and for pictures the size the header declares. Cheap, so
/// it runs before the flood limit and before any picture is decoded.
pub fn check_all(files: Vec<Vec<u8>>) -> Result<Vec<Accepted>, String> {
    if files.len() > MAX_FILES {
        return Err(format!("You can attach up to {MAX_FILES} files"));
    }
    if files.iter().map(Vec::len).sum::<usize>() > MAX_TOTAL_BYTES {
        return Err("Your files add up to more than 10MB. Choose smaller files".into());
    }
    files
        .into_iter()
        .enumerate()
        .map(|(i, bytes)| check(i + 1, bytes))
        .collect()
}

fn check(number: usize, bytes: Vec<u8>) -> Result<Accepted, String> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "File {number} is bigger than 5MB. Choose a smaller file"
        ));
    }
    let kind = Kind::sniff(&bytes).ok_or_else(|| {
        format!("File {number} must be a photo (JPG or PNG), a PDF or a text file")
    })?;
    if let Some(format) = image_format(kind) {
        // Only the header is read here: no pixel is decoded.
        let mut reader = ImageReader::with_format(Cursor::new(&bytes), format);
        let mut limits = Limits::default();
        limits.max_alloc = Some(HEADER_BYTES);
        reader.limits(limits);
        let mut decoder = reader.into_decoder().map_err(|_| {
            format!("File {number} could not be read as a picture. Try another file")
        })?;
        // A colour profile that unpacks beyond the limit is dropped by the decoder rather
        // than refused; redrawing would unpack it again with more room. Refuse it here.
        let profile_kept = decoder.icc_profile().ok().flatten().is_some();
        if kind == Kind::Png && has_png_chunk(&bytes, b"iCCP") && !profile_kept {
            return Err(format!(
                "File {number} could not be read as a picture. Try another file"
            ));
        }
        let (width, height) = decoder.dimensions();
        if u64::from(width) * u64::from(height) > MAX_PIXELS
            || decoder.total_bytes() > MAX_DECODED_BYTES
        {
            return Err(format!(
                "File {number} is too large a picture ({width} by {height} pixels). \
                 Make it smaller, or take a screenshot of it, and add it again"
            ));
        }
    }
    Ok(Accepted {
        number,
        kind,
        bytes,
    })
}

/// Whether a PNG file has a chunk of this type (walked from the chunks' own lengths).
fn has_png_chunk(bytes: &[u8], kind: &[u8; 4]) -> bool {
    let mut at: usize = 8;
    while let Some(head) = bytes.get(at..at.saturating_add(8)) {
        if head.get(4..8) == Some(&kind[..]) {
            return true;
        }
        let length = head
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, u32::from_be_bytes) as usize;
        // Length, type, data and CRC.
        at = at.saturating_add(12).saturating_add(length);
    }
    false
}

/// Makes an accepted file safe to keep: pictures are redrawn, which is slow, so callers
/// run this off the async threads (see `crate::work`).
pub fn finish(file: Accepted) -> Result<Cleaned, String> {
    let Accepted {
        number,
        kind,
        bytes,
    } = file;
    let cleaned = match image_format(kind) {
        Some(format) => redraw(&bytes, format).map_err(|_| {
            format!("File {number} could not be read as a picture. Try another file")
        })?,
        None => bytes,
    };
    Ok(Cleaned {
        name: format!("attachment-{number}.{}", kind.extension()),
        kind,
        bytes: cleaned,
    })
}

/// Checks and cleans one file at once (the form uses `check_all`, then `finish`).
#[cfg(test)]
pub fn clean(number: usize, bytes: &[u8]) -> Result<Cleaned, String> {
    finish(check(number, bytes.to_vec())?)
}

fn image_format(kind: Kind) -> Option<ImageFormat> {
    match kind {
        Kind::Jpeg => Some(ImageFormat::Jpeg),
        Kind::Png => Some(ImageFormat::Png),
        Kind::Pdf | Kind::Text => None,
    }
}

/// Decodes and encodes a picture again. Only pixels survive; the way up is kept.
fn redraw(bytes: &[u8], format: ImageFormat) -> image::ImageResult<Vec<u8>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // Checked already from the header; the decoder checks again before it allocates.
    let mut limits = Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    // The decoded picture, and room for the rotated copy.
    limits.max_alloc = Some(MAX_DECODED_BYTES * 2);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    let orientation = decoder.orientation()?;
    let mut picture = DynamicImage::from_decoder(decoder)?;
    picture.apply_orientation(orientation);
    let mut out = Vec::new();
    match format {
        ImageFormat::Jpeg => image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&picture.to_rgb8())?,
        // 8 bits a channel is plenty for evidence, and far quicker to write than 16.
        _ if picture.color().has_alpha() => DynamicImage::ImageRgba8(picture.to_rgba8())
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)?,
        _ => DynamicImage::ImageRgb8(picture.to_rgb8())
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)?,
    }
    Ok(out)
}

/// What is encrypted for one file (`dignity_app::speakup::attachment`).
pub fn pack(file: &Cleaned) -> Vec<u8> {
    dignity_app::speakup::attachment::pack(&file.name, file.kind.content_type(), &file.bytes)
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
    fn a_small_file_declaring_a_vast_picture_is_refused_from_its_header() {
        let png = crate::testing::png_declaring(10_000, 10_000);
        assert!(png.len() < 200, "{} bytes", png.len());
        let refused = check_all(vec![png]).err().unwrap_or_default();
        assert!(refused.contains("10000 by 10000 pixels"), "{refused}");
        // The same file declaring its true size is a picture like any other.
        assert!(check_all(vec![crate::testing::png_declaring(1, 1)]).is_ok());
    }

    /// A one-pixel PNG carrying a colour profile of `size` zero bytes, compressed.
    fn png_with_profile(size: usize) -> Vec<u8> {
        let png = crate::testing::png_declaring(1, 1);
        let mut data = b"icc\0\0".to_vec();
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut zlib, &vec![0u8; size]).unwrap();
        data.extend(zlib.finish().unwrap());
        let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
        chunk.extend_from_slice(b"iCCP");
        chunk.extend_from_slice(&data);
        let crc = crate::testing::crc32(&chunk[4..]);
        chunk.extend_from_slice(&crc.to_be_bytes());
        // After the signature (8) and the IHDR chunk (25).
        [&png[..33], &chunk[..], &png[33..]].concat()
    }

    #[test]
    fn a_colour_profile_that_unpacks_to_a_vast_size_is_refused_from_the_header() {
        let bomb = png_with_profile(64 * 1024 * 1024);
        assert!(bomb.len() < MAX_FILE_BYTES, "{} bytes", bomb.len());
        let refused = check_all(vec![bomb]).err().unwrap_or_default();
        assert!(
            refused.contains("could not be read as a picture"),
            "{refused}"
        );
        // An ordinary profile is fine.
        assert!(check_all(vec![png_with_profile(3_000)]).is_ok());
    }

    #[test]
    fn a_deep_picture_under_the_pixel_limit_is_refused_by_its_memory() {
        let deep = DynamicImage::new_rgba16(1, 1);
        // 39.9 megapixels, but 8 bytes each: 320 MB once decoded.
        let png = crate::testing::png_of_kind_declaring(deep.clone(), 6_320, 6_320);
        let refused = check_all(vec![png]).err().unwrap_or_default();
        assert!(refused.contains("6320 by 6320 pixels"), "{refused}");
        // Ordinary colour at that size fits, and so does a smaller deep picture.
        let plain = DynamicImage::new_rgb8(1, 1);
        assert!(
            check_all(vec![crate::testing::png_of_kind_declaring(
                plain, 6_320, 6_320
            )])
            .is_ok()
        );
        assert!(
            check_all(vec![crate::testing::png_of_kind_declaring(
                deep, 3_000, 3_000
            )])
            .is_ok()
        );
    }

    #[test]
    fn count_and_total_are_checked_before_anything_else() {
        let four = vec![b"notes".to_vec(); MAX_FILES + 1];
        assert!(check_all(four).is_err_and(|e| e.contains("up to 3 files")));
        let big = vec![vec![b'a'; 4 * 1024 * 1024]; 3];
        assert!(check_all(big).is_err_and(|e| e.contains("more than 10MB")));
    }

    #[test]
    fn packing_round_trips() {
        let file = Cleaned {
            name: "attachment-1.txt".into(),
            kind: Kind::Text,
            bytes: b"line one\nline two".to_vec(),
        };
        let packed = pack(&file);
        let (name, content_type, bytes) =
            dignity_app::speakup::attachment::unpack(&packed).unwrap_or_else(|| panic!("unpack"));
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
