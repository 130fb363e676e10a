//! Loading from the collector: who is signed in (`GET /api/session`), then the answers as
//! compact columns (`GET /api/responses?format=columns`: no comment's text, no phone) and the
//! names, each with the session cookie. A 401 anywhere is "sign in"; anything else that
//! fails says why.

use nps_core::scoring::analysis::Names;

use super::app::{FETCHED_MARK, PARSED_MARK};
use crate::data::Answers;

/// Who is signed in, as `GET /api/session` says.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct Me {
    /// `user:EMAIL`, `token:ID` or `admin-token`.
    pub who: String,
    pub email: Option<String>,
    /// `admin`, `region`, `store` or `analyst`.
    pub role: String,
}

impl Me {
    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }

    /// A phone can be revealed (every role but an analyst's; an analyst gets no phones).
    pub fn may_reveal(&self) -> bool {
        self.role != "analyst"
    }

    /// Cases can be marked contacted or resolved (every role but an analyst's, who reads).
    pub fn may_work_cases(&self) -> bool {
        self.role != "analyst"
    }
}

/// What loading came to.
pub enum Loaded {
    Answers(Answers, Names, Me),
    /// No session (or it ended): sign in.
    SignedOut,
    Failed(String),
}

/// The status and body of `GET url`, or why not; a 401 is `SignedOut`.
async fn get(url: &str) -> Result<String, Loaded> {
    match super::fetch("GET", url).await {
        Err(why) => Err(Loaded::Failed(why)),
        Ok((401, _)) => Err(Loaded::SignedOut),
        Ok((200, text)) => Ok(text),
        Ok((s, text)) => Err(Loaded::Failed(super::why(s, &text))),
    }
}

/// Who is signed in, then the export and the names, from the collector.
pub async fn from_collector(api: &str) -> Loaded {
    match answers(api).await {
        Ok(loaded) | Err(loaded) => loaded,
    }
}

async fn answers(api: &str) -> Result<Loaded, Loaded> {
    let text = get(&format!("{api}/session")).await?;
    let me: Me = serde_json::from_str(&text).map_err(|e| Loaded::Failed(e.to_string()))?;
    let url = format!(
        "{api}/responses?format={}",
        nps_core::contract::columns::FORMAT
    );
    let bytes = match super::fetch_bytes(&url).await {
        Err(why) => return Err(Loaded::Failed(why)),
        Ok((401, _)) => return Err(Loaded::SignedOut),
        Ok((200, bytes)) => bytes,
        Ok((s, bytes)) => {
            return Err(Loaded::Failed(super::why(
                s,
                &String::from_utf8_lossy(&bytes),
            )))
        }
    };
    super::mark(FETCHED_MARK);
    let answers = Answers::from_columns(&bytes).map_err(|e| Loaded::Failed(e.to_string()))?;
    super::mark(PARSED_MARK);
    // Names are a courtesy: without them, codes are shown.
    let names = match super::fetch("GET", &format!("{api}/names")).await {
        Ok((200, text)) => Names::from_json(&text).unwrap_or_default(),
        _ => Names::default(),
    };
    Ok(Loaded::Answers(answers, names, me))
}
