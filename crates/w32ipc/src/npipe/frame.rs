//! How a message-type pipe frames its messages on the stream socket underneath: each message is
//! an 8-byte header (length, and the length again scrambled, so garbage from a hostile peer is
//! recognised) followed by its bytes. Byte-type pipes carry no framing at all.

/// Bytes in a header.
pub(crate) const HEADER: usize = 8;
const CHECK: u32 = 0x5733_324d; // "W32M"

/// The header of a message of `len` bytes.
pub(crate) fn encode(len: u32) -> [u8; HEADER] {
    let mut h = [0u8; HEADER];
    h[..4].copy_from_slice(&len.to_le_bytes());
    h[4..].copy_from_slice(&(len ^ CHECK).to_le_bytes());
    h
}

/// The length a header announces, or `None` if these bytes are not a header.
pub(crate) fn decode(h: &[u8; HEADER]) -> Option<u32> {
    let len = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
    let check = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
    (check == len ^ CHECK).then_some(len)
}

/// Walks a peeked copy of the queue: the payload bytes of the first message present (starting
/// `head_left` bytes into it if the reader is in the middle of one, with `head_left` bytes of it
/// still unread), and the payload bytes of all messages present.
///
/// Returns `(first_present, first_len, total_payload)`; `None` if the bytes are not valid
/// framing.
pub(crate) fn survey(queue: &[u8], head_left: Option<u64>) -> Option<(usize, u64, u64)> {
    let mut at = 0usize;
    let mut total = 0u64;
    let mut first: Option<(usize, u64)> = None;
    if let Some(left) = head_left {
        let present = (left.min(queue.len() as u64)) as usize;
        first = Some((present, left));
        total += present as u64;
        at = present;
    }
    while at + HEADER <= queue.len() {
        let len = decode(queue[at..at + HEADER].try_into().ok()?)?;
        at += HEADER;
        let present = (len as usize).min(queue.len() - at);
        if first.is_none() {
            first = Some((present, u64::from(len)));
        }
        total += present as u64;
        at += present;
    }
    let (p, l) = first.unwrap_or((0, 0));
    Some((p, l, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_and_reject_garbage() {
        for len in [0, 1, 64, 1 << 24, u32::MAX] {
            assert_eq!(decode(&encode(len)), Some(len));
        }
        assert_eq!(decode(b"GET / HT"), None);
        assert_eq!(decode(&[0; 8]), None);
    }

    #[test]
    fn survey_counts_payload_only() {
        let mut q = Vec::new();
        q.extend_from_slice(&encode(3));
        q.extend_from_slice(b"abc");
        q.extend_from_slice(&encode(0));
        q.extend_from_slice(&encode(5));
        q.extend_from_slice(b"de");
        assert_eq!(survey(&q, None), Some((3, 3, 5)));
        let rest = &q[HEADER + 2..];
        assert_eq!(survey(rest, Some(1)), Some((1, 1, 3)));
        assert_eq!(survey(b"garbage!", None), None);
        assert_eq!(survey(&[], None), Some((0, 0, 0)));
    }
}
