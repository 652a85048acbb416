//! Files sent with a concern, made safe to keep. Files are recognised by their contents,
//! never by their name or the browser's word, and get a plain new name, because
//! "ruth-smith-notes.pdf" would identify someone. Pictures are redrawn, which drops
//! everything hidden in them (camera, place, time, author); no well-kept Rust crate removes
//! every hidden detail from a PDF, so PDFs are kept as they are and the form says so.
//!
//! Only [`clean`] makes a [`Cleaned`] file, and `report::send_concern` takes nothing else,
//! so no caller can store a file that skipped these steps.
//!
//! Stored before encryption as a one-line JSON header with the file's name and type, then
//! the file ([`unpack`] reads it back).

use crate::Context;
use crate::work::WorkError;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use serde::{Deserialize, Serialize};
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
/// Pictures redrawn at once, per server (`Context::pictures`).
pub const PICTURES_AT_ONCE: usize = 2;

/// Why files were refused, in words for the person who sent them; a file is named by its
/// place in the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("You can attach up to {} files", MAX_FILES)]
    TooMany,
    #[error("Your files add up to more than 10MB. Choose smaller files")]
    TooMuch,
    #[error("File {0} is bigger than 5MB. Choose a smaller file")]
    TooBig(usize),
    #[error("File {0} must be a photo (JPG or PNG), a PDF or a text file")]
    NotAllowed(usize),
    #[error("File {0} could not be read as a picture. Try another file")]
    Unreadable(usize),
    #[error(
        "File {number} is too large a picture ({width} by {height} pixels). Make it smaller, or take a screenshot of it, and add it again"
    )]
    TooManyPixels {
        number: usize,
        width: u32,
        height: u32,
    },
}

/// Why accepted files were not made safe to keep.
#[derive(Debug, thiserror::Error)]
pub enum NotCleaned {
    /// A picture whose header read well but whose pixels did not.
    #[error(transparent)]
    Refused(#[from] Refused),
    /// No place to redraw a picture in time, or the redrawing stopped.
    #[error(transparent)]
    Work(#[from] WorkError),
}

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

    fn image_format(self) -> Option<ImageFormat> {
        match self {
            Kind::Jpeg => Some(ImageFormat::Jpeg),
            Kind::Png => Some(ImageFormat::Png),
            Kind::Pdf | Kind::Text => None,
        }
    }
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
        self.kind.image_format().is_some()
    }
}

/// A file made safe to keep: recognised, pictures redrawn, with a plain new name. Only
/// [`clean`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    name: String,
    kind: Kind,
    bytes: Vec<u8>,
}

impl Cleaned {
    /// Its new name, such as `attachment-1.png`.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// What is encrypted for it.
    pub(crate) fn pack(&self) -> Vec<u8> {
        pack(&self.name, self.kind.content_type(), &self.bytes)
    }
}

/// Every limit that can be checked without decoding: how many files, each one's size,
/// their total, what they are, and for pictures the size the header declares. Cheap, so
/// it runs before the flood limit and before any picture is decoded.
pub fn check_all(files: Vec<Vec<u8>>) -> Result<Vec<Accepted>, Refused> {
    if files.len() > MAX_FILES {
        return Err(Refused::TooMany);
    }
    if files.iter().map(Vec::len).sum::<usize>() > MAX_TOTAL_BYTES {
        return Err(Refused::TooMuch);
    }
    files
        .into_iter()
        .enumerate()
        .map(|(i, bytes)| check(i + 1, bytes))
        .collect()
}

fn check(number: usize, bytes: Vec<u8>) -> Result<Accepted, Refused> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Refused::TooBig(number));
    }
    let kind = Kind::sniff(&bytes).ok_or(Refused::NotAllowed(number))?;
    if let Some(format) = kind.image_format() {
        // Only the header is read here: no pixel is decoded.
        let mut reader = ImageReader::with_format(Cursor::new(&bytes), format);
        let mut limits = Limits::default();
        limits.max_alloc = Some(HEADER_BYTES);
        reader.limits(limits);
        let mut decoder = reader
            .into_decoder()
            .map_err(|_| Refused::Unreadable(number))?;
        // A colour profile that unpacks beyond the limit is dropped by the decoder rather
        // than refused; redrawing would unpack it again with more room. Refuse it here.
        let profile_kept = decoder.icc_profile().ok().flatten().is_some();
        if kind == Kind::Png && has_png_chunk(&bytes, b"iCCP") && !profile_kept {
            return Err(Refused::Unreadable(number));
        }
        let (width, height) = decoder.dimensions();
        if u64::from(width) * u64::from(height) > MAX_PIXELS
            || decoder.total_bytes() > MAX_DECODED_BYTES
        {
            return Err(Refused::TooManyPixels {
                number,
                width,
                height,
            });
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

/// Makes accepted files safe to keep. Pictures are redrawn in the server's few places
/// for it (`Context::pictures`), off the async threads; other files need no work.
pub async fn clean(ctx: &Context, files: Vec<Accepted>) -> Result<Vec<Cleaned>, NotCleaned> {
    let mut cleaned = Vec::with_capacity(files.len());
    for file in files {
        let file = if file.is_picture() {
            ctx.pictures.run(move || finish(file)).await?
        } else {
            finish(file)
        };
        cleaned.push(file?);
    }
    Ok(cleaned)
}

/// Makes one accepted file safe to keep: slow for a picture.
fn finish(file: Accepted) -> Result<Cleaned, Refused> {
    let Accepted {
        number,
        kind,
        bytes,
    } = file;
    let bytes = match kind.image_format() {
        Some(format) => redraw(&bytes, format).map_err(|_| Refused::Unreadable(number))?,
        None => bytes,
    };
    Ok(Cleaned {
        name: format!("attachment-{number}.{}", kind.extension()),
        kind,
        bytes,
    })
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

#[derive(Serialize, Deserialize)]
struct Header {
    name: String,
    content_type: String,
}

/// What is encrypted for one file.
fn pack(name: &str, content_type: &str, bytes: &[u8]) -> Vec<u8> {
    let header = serde_json::to_string(&Header {
        name: name.to_owned(),
        content_type: content_type.to_owned(),
    })
    .unwrap_or_default();
    let mut out = header.into_bytes();
    out.push(b'\n');
    out.extend_from_slice(bytes);
    out
}

/// The file's name, type and contents, from decrypted bytes.
pub fn unpack(plain: &[u8]) -> Option<(String, String, &[u8])> {
    let split = plain.iter().position(|b| *b == b'\n')?;
    let (header, rest) = plain.split_at(split);
    let header: Header = serde_json::from_slice(header).ok()?;
    Some((header.name, header.content_type, rest.get(1..)?))
}

#[cfg(test)]
mod tests;
