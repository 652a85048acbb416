//! How a file sent with a concern is stored before encryption: a one-line JSON header
//! with its name and type, then the file. The checks and the redrawing of pictures are
//! the pages' (`dignity_web::speakup::attachments`); this is only the format.

use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Header {
    name: String,
    content_type: String,
}

/// What is encrypted for one file.
pub fn pack(name: &str, content_type: &str, bytes: &[u8]) -> Vec<u8> {
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
mod tests {
    use super::*;

    #[test]
    fn a_packed_file_unpacks_to_itself() {
        let packed = pack("attachment-1.txt", "text/plain", b"line one\nline two");
        assert_eq!(
            unpack(&packed),
            Some((
                "attachment-1.txt".to_owned(),
                "text/plain".to_owned(),
                &b"line one\nline two"[..]
            ))
        );
        assert_eq!(unpack(b"no header here"), None);
    }
}
