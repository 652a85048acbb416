//! Inputs that tests (here and in other crates) use to perform attacks on the server.

/// A valid 1 x 1 PNG whose header says it is `width` x `height` pixels: a few hundred
/// bytes that a careless decoder would turn into a picture of gigabytes.
pub fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    png_of_kind_declaring(image::DynamicImage::new_luma8(1, 1), width, height)
}

/// A one-pixel PNG of the kind of `one` (16-bit colour with see-through, say), whose
/// header declares `width` x `height`.
pub fn png_of_kind_declaring(one: image::DynamicImage, width: u32, height: u32) -> Vec<u8> {
    let mut png = Vec::new();
    if one
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .is_err()
    {
        return png;
    }
    // Signature (8), then the IHDR chunk: length (4), "IHDR" (4), width, height, ..., CRC.
    let mut put = |at: usize, value: u32| {
        if let Some(place) = png.get_mut(at..at + 4) {
            place.copy_from_slice(&value.to_be_bytes());
        }
    };
    put(16, width);
    put(20, height);
    let crc = png.get(12..29).map(crc32).unwrap_or(0);
    if let Some(place) = png.get_mut(29..33) {
        place.copy_from_slice(&crc.to_be_bytes());
    }
    png
}

/// The CRC-32 every PNG chunk ends with.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
