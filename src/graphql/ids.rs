//! Opaque global IDs and cursors.
//!
//! A global ID is the URL-safe base64 of `Type:number`; a cursor is the URL-safe base64 of a
//! page position. Both are opaque to clients: they may store and send them back, never build
//! them. Anything that does not decode is the caller's mistake (`BAD_USER_INPUT`), never ours.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{AppError, AppResult};
use crate::services::page::{Keyset, PageRequest};

pub use crate::domain::global_id::Kind;

pub fn encode(kind: Kind, id: i64) -> ID {
    ID(crate::domain::global_id::encode(kind, id))
}

/// Decodes any global ID into its type and number.
pub fn decode_any(id: &str, field: &str) -> AppResult<(Kind, i64)> {
    crate::domain::global_id::decode(id)
        .ok_or_else(|| AppError::bad_field(field, format!("'{id}' is not a valid ID")))
}

/// Decodes a global ID that must be of one type.
pub fn decode(id: &ID, expected: Kind, field: &str) -> AppResult<i64> {
    let (kind, number) = decode_any(id, field)?;
    if kind != expected {
        return Err(AppError::bad_field(
            field,
            format!(
                "'{}' is the ID of a {}, not of a {}",
                id.as_str(),
                kind.name(),
                expected.name()
            ),
        ));
    }
    Ok(number)
}

pub fn encode_cursor(position: &Keyset) -> String {
    // Serialising a plain struct of strings and integers cannot fail.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(position).unwrap_or_default())
}

/// A list's cursor: the position of one of its objects, encoded only if the query asks for it
/// (`edges { cursor }`, `pageInfo`).
pub struct Cursor(pub Keyset);

impl async_graphql::connection::CursorType for Cursor {
    type Error = String;

    fn decode_cursor(cursor: &str) -> Result<Self, String> {
        decode_cursor(cursor)
            .map(Cursor)
            .map_err(|_| format!("'{cursor}' is not a valid cursor"))
    }

    fn encode_cursor(&self) -> String {
        encode_cursor(&self.0)
    }
}

fn decode_cursor(cursor: &str) -> AppResult<Keyset> {
    let malformed = || AppError::bad_field("after", format!("'{cursor}' is not a valid cursor"));
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| malformed())?;
    serde_json::from_slice(&bytes).map_err(|_| malformed())
}

pub const DEFAULT_PAGE: i32 = 20;
pub const MAX_PAGE: i32 = 100;

/// Validates paging arguments; `accepts` says whether a decoded position belongs to the
/// requested ordering.
pub fn page_request(
    first: Option<i32>,
    after: Option<String>,
    accepts: impl Fn(&Keyset) -> bool,
) -> AppResult<PageRequest> {
    let first = first.unwrap_or(DEFAULT_PAGE);
    if !(0..=MAX_PAGE).contains(&first) {
        return Err(AppError::bad_field(
            "first",
            format!("first must be between 0 and {MAX_PAGE}, got {first}"),
        ));
    }
    let after = match after {
        None => None,
        Some(cursor) => {
            let position = decode_cursor(&cursor)?;
            if !accepts(&position) {
                return Err(AppError::bad_field(
                    "after",
                    "the cursor belongs to another list or ordering; start again without `after`",
                ));
            }
            Some(position)
        }
    };
    Ok(PageRequest {
        first: first as u64,
        after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_foreign_or_malformed_input() {
        let id = encode(Kind::Park, 7);
        assert_eq!(decode(&id, Kind::Park, "id").unwrap(), 7);
        assert!(decode(&id, Kind::Company, "id").is_err());
        for bad in ["", "!!", "UGFyaw", "UGFyazp4", "UGFyazotMQ"] {
            assert!(decode_any(bad, "id").is_err(), "{bad}");
        }
    }
}
