//! Reading `application/x-www-form-urlencoded` query strings (`a=1&b=x%20y`), the way the server's
//! routes read them, for the pure decisions that depend on a query (docs/view-as.md, docs/audit-log.md).

/// The query's `(name, value)` pairs in order, names and values decoded (`+` is a space). `None`
/// when a pair is not valid percent-encoded UTF-8: a caller treats that as "not understood".
pub fn pairs(query: &str) -> Option<Vec<(String, String)>> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((decode_component(name)?, decode_component(value)?))
        })
        .collect()
}

/// One percent-encoded component, `+` read as a space; `None` for a bad escape or bytes that
/// are not UTF-8.
pub fn decode_component(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let text = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(text, 16).ok()?);
                i += 3;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes everything but RFC 3986's unreserved characters, for one query value.
pub fn encode_component(value: &str) -> String {
    crate::admin::encode_path_segment(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_decoded_in_order() {
        assert_eq!(
            pairs("path=_security%2F_authenticate&method=GET&x").unwrap_or_default(),
            vec![
                ("path".to_string(), "_security/_authenticate".to_string()),
                ("method".to_string(), "GET".to_string()),
                ("x".to_string(), String::new()),
            ]
        );
        assert_eq!(decode_component("a+b%20c").as_deref(), Some("a b c"));
        assert_eq!(decode_component("%C3%A9").as_deref(), Some("é"));
    }

    #[test]
    fn bad_escapes_are_not_understood() {
        assert_eq!(decode_component("%zz"), None);
        assert_eq!(decode_component("%4"), None);
        assert_eq!(decode_component("%FF"), None);
        assert_eq!(pairs("a=%"), None);
    }

    #[test]
    fn encoding_round_trips() {
        for text in ["victor", "a b/c?d=e&f", "é…", "+%"] {
            assert_eq!(
                decode_component(&encode_component(text)).as_deref(),
                Some(text)
            );
        }
    }
}
