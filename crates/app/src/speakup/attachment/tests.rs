use super::*;
use crate::testing::{crc32, png_declaring, png_of_kind_declaring};

fn picture(format: ImageFormat) -> Vec<u8> {
    let picture = DynamicImage::new_rgb8(4, 3);
    let mut out = Vec::new();
    picture
        .write_to(&mut Cursor::new(&mut out), format)
        .unwrap_or_else(|e| panic!("{e}"));
    out
}

/// Checks and cleans one file at once, as file `number` of a form.
fn clean_one(number: usize, bytes: &[u8]) -> Result<Cleaned, Refused> {
    let mut files = vec![b"notes".to_vec(); number - 1];
    files.push(bytes.to_vec());
    let accepted = check_all(files)?;
    let last = accepted
        .into_iter()
        .last()
        .unwrap_or_else(|| panic!("none"));
    finish(last)
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
    let cleaned = clean_one(1, &jpeg).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (cleaned.kind(), cleaned.name()),
        (Kind::Jpeg, "attachment-1.jpg")
    );
    assert!(!cleaned.bytes().windows(4).any(|w| w == b"Ruth"));
    assert!(image::load_from_memory(cleaned.bytes()).is_ok());
}

#[test]
fn files_are_known_by_their_contents() {
    assert_eq!(
        clean_one(1, &picture(ImageFormat::Png)).map(|c| c.kind()),
        Ok(Kind::Png)
    );
    assert_eq!(
        clean_one(2, b"%PDF-1.7 ...").map(|c| c.kind()),
        Ok(Kind::Pdf)
    );
    assert_eq!(
        clean_one(3, b"just some notes").map(|c| c.name().to_owned()),
        Ok("attachment-3.txt".into())
    );
    assert_eq!(
        clean_one(1, &[0x4D, 0x5A, 0x00, 0x01]),
        Err(Refused::NotAllowed(1)),
        "a program is refused"
    );
    assert_eq!(
        clean_one(1, &[0xFF, 0xD8, 0xFF, 0x00, 0x01]),
        Err(Refused::Unreadable(1)),
        "a broken picture is refused"
    );
    assert_eq!(
        clean_one(1, &vec![b'a'; MAX_FILE_BYTES + 1]),
        Err(Refused::TooBig(1))
    );
}

#[test]
fn refusals_say_what_to_do_in_plain_words() {
    assert_eq!(Refused::TooMany.to_string(), "You can attach up to 3 files");
    assert_eq!(
        Refused::NotAllowed(2).to_string(),
        "File 2 must be a photo (JPG or PNG), a PDF or a text file"
    );
    assert_eq!(
        Refused::TooManyPixels {
            number: 1,
            width: 10,
            height: 20
        }
        .to_string(),
        "File 1 is too large a picture (10 by 20 pixels). Make it smaller, or take a screenshot of it, and add it again"
    );
}

#[test]
fn a_small_file_declaring_a_vast_picture_is_refused_from_its_header() {
    let png = png_declaring(10_000, 10_000);
    assert!(png.len() < 200, "{} bytes", png.len());
    let refused = check_all(vec![png]).err().map(|e| e.to_string());
    let refused = refused.unwrap_or_default();
    assert!(refused.contains("10000 by 10000 pixels"), "{refused}");
    // The same file declaring its true size is a picture like any other.
    assert!(check_all(vec![png_declaring(1, 1)]).is_ok());
}

/// A one-pixel PNG carrying a colour profile of `size` zero bytes, compressed.
fn png_with_profile(size: usize) -> Vec<u8> {
    let png = png_declaring(1, 1);
    let mut data = b"icc\0\0".to_vec();
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut zlib, &vec![0u8; size]).unwrap();
    data.extend(zlib.finish().unwrap());
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(b"iCCP");
    chunk.extend_from_slice(&data);
    let crc = crc32(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    // After the signature (8) and the IHDR chunk (25).
    [&png[..33], &chunk[..], &png[33..]].concat()
}

#[test]
fn a_colour_profile_that_unpacks_to_a_vast_size_is_refused_from_the_header() {
    let bomb = png_with_profile(64 * 1024 * 1024);
    assert!(bomb.len() < MAX_FILE_BYTES, "{} bytes", bomb.len());
    assert_eq!(check_all(vec![bomb]), Err(Refused::Unreadable(1)));
    // An ordinary profile is fine.
    assert!(check_all(vec![png_with_profile(3_000)]).is_ok());
}

#[test]
fn a_deep_picture_under_the_pixel_limit_is_refused_by_its_memory() {
    let deep = DynamicImage::new_rgba16(1, 1);
    // 39.9 megapixels, but 8 bytes each: 320 MB once decoded.
    let png = png_of_kind_declaring(deep.clone(), 6_320, 6_320);
    let refused = check_all(vec![png]).err().map(|e| e.to_string());
    let refused = refused.unwrap_or_default();
    assert!(refused.contains("6320 by 6320 pixels"), "{refused}");
    // Ordinary colour at that size fits, and so does a smaller deep picture.
    let plain = DynamicImage::new_rgb8(1, 1);
    assert!(check_all(vec![png_of_kind_declaring(plain, 6_320, 6_320)]).is_ok());
    assert!(check_all(vec![png_of_kind_declaring(deep, 3_000, 3_000)]).is_ok());
}

#[test]
fn count_and_total_are_checked_before_anything_else() {
    let four = vec![b"notes".to_vec(); MAX_FILES + 1];
    assert_eq!(check_all(four), Err(Refused::TooMany));
    let big = vec![vec![b'a'; 4 * 1024 * 1024]; 3];
    assert_eq!(check_all(big), Err(Refused::TooMuch));
}

#[test]
fn a_cleaned_file_packs_and_unpacks_to_itself() {
    let cleaned = clean_one(1, b"line one\nline two").unwrap_or_else(|e| panic!("{e}"));
    let packed = cleaned.pack();
    assert_eq!(
        unpack(&packed),
        Some((
            "attachment-1.txt".to_owned(),
            "text/plain; charset=utf-8".to_owned(),
            &b"line one\nline two"[..]
        ))
    );
    assert_eq!(unpack(b"no header here"), None);
}
