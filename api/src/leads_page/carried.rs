//! The answers the server's first paint of the leads page was drawn from, carried in the page
//! (ARCHITECTURE.md, "The leads page has a first paint"): the app takes each as the answer to its
//! own first request for the same thing instead of asking the server again, so the app is in as
//! soon as its wasm is, on a slow network too (time to interactive: BENCHMARKS.md section 3a).

use serde::{Deserialize, Serialize};

/// The `<script type="application/json">` element that holds them.
pub const ELEMENT_ID: &str = "first-paint-answers";

/// How long after the page load they may stand in for a request. They are as old as the
/// picture the user is looking at, and the app reads the privileges again within
/// `PRIVILEGE_RECHECK_MS` of taking over; a page whose app took longer than this to arrive asks
/// the server.
pub const MAX_AGE_MS: f64 = 30_000.0;

/// One request the first paint made, as the app's client makes it (the path without the space
/// prefix), and the 200 answer's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarriedAnswer {
    pub method: String,
    pub path: String,
    pub version: Option<String>,
    pub body: Option<String>,
    pub answer: String,
}

/// Every answer, and the space they were asked in (its prefix: `""` or `/s/{id}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarriedAnswers {
    pub space_prefix: String,
    pub answers: Vec<CarriedAnswer>,
}

impl CarriedAnswers {
    /// The answer to the request `(method, path, version, body)` made in the space with
    /// `space_prefix`, once: a second request for the same thing is asked of the server.
    pub fn take(
        &mut self,
        space_prefix: &str,
        method: &str,
        path: &str,
        version: Option<&str>,
        body: Option<&str>,
    ) -> Option<String> {
        if space_prefix != self.space_prefix {
            return None;
        }
        let at = self.answers.iter().position(|carried| {
            carried.method == method
                && carried.path == path
                && carried.version.as_deref() == version
                && carried.body.as_deref() == body
        })?;
        Some(self.answers.swap_remove(at).answer)
    }

    /// The JSON for the page's `<script type="application/json">`: `<` is written `\u003c`, so
    /// no server string can close the element (`</script>`) or open another.
    pub fn to_script_text(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_default()
            .replace('<', "\\u003c")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn carried() -> CarriedAnswers {
        CarriedAnswers {
            space_prefix: "/s/soc".into(),
            answers: vec![
                CarriedAnswer {
                    method: "GET".into(),
                    path: "/internal/security/me".into(),
                    version: None,
                    body: None,
                    answer: r#"{"username":"</script><script>alert(1)</script>"}"#.into(),
                },
                CarriedAnswer {
                    method: "POST".into(),
                    path: "/api/core/capabilities".into(),
                    version: None,
                    body: Some(r#"{"applications":[]}"#.into()),
                    answer: "{}".into(),
                },
            ],
        }
    }

    #[test]
    fn an_answer_is_taken_once_for_the_same_request_in_the_same_space() {
        let mut answers = carried();
        assert_eq!(
            answers.take("", "GET", "/internal/security/me", None, None),
            None,
            "another space"
        );
        assert_eq!(
            answers.take("/s/soc", "GET", "/internal/security/me", Some("1"), None),
            None,
            "another version"
        );
        assert_eq!(
            answers.take("/s/soc", "POST", "/api/core/capabilities", None, Some("{}")),
            None,
            "another body"
        );
        assert!(answers
            .take("/s/soc", "GET", "/internal/security/me", None, None)
            .is_some());
        assert_eq!(
            answers.take("/s/soc", "GET", "/internal/security/me", None, None),
            None,
            "the second request is asked of the server"
        );
    }

    #[test]
    fn no_server_string_can_close_the_script_element_and_the_text_reads_back_the_same() {
        let answers = carried();
        let text = answers.to_script_text();
        assert!(!text.contains('<'), "{text}");
        let back: CarriedAnswers = serde_json::from_str(&text).unwrap();
        assert_eq!(back, answers);
    }
}
