//! Checks of what callers send, shared by every change: texts trimmed and bounded, web
//! addresses, contact details, headcounts and service lines. Each error names its field.

use crate::domain::ServiceLine;
use crate::error::{AppError, AppResult};

/// A required text: trimmed, not empty, at most `max` characters.
pub(crate) fn text_field(field: &str, value: &str, max: usize) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::bad_field(
            field,
            format!("{field} must not be empty"),
        ));
    }
    if value.chars().count() > max {
        return Err(AppError::bad_field(
            field,
            format!("{field} must have at most {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// An optional text: absent or blank is `None`, otherwise as [`text_field`].
pub(crate) fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => text_field(field, v, max).map(Some),
    }
}

pub(crate) fn headcount(value: i32) -> AppResult<i32> {
    if !(1..=1_000_000).contains(&value) {
        return Err(AppError::bad_field(
            "headcount",
            "headcount must be between 1 and 1,000,000",
        ));
    }
    Ok(value)
}

pub(crate) fn website(value: Option<&str>) -> AppResult<Option<String>> {
    let value = optional_text("website", value, 300)?;
    if let Some(v) = &value
        && !(v.starts_with("https://") || v.starts_with("http://"))
    {
        return Err(AppError::bad_field(
            "website",
            "a website is an http:// or https:// address",
        ));
    }
    Ok(value)
}

pub(crate) fn email(value: Option<&str>) -> AppResult<Option<String>> {
    let value = optional_text("contactEmail", value, 200)?;
    if let Some(v) = &value {
        let (local, domain) = v.split_once('@').unwrap_or(("", ""));
        if local.is_empty() || !domain.contains('.') || v.contains(char::is_whitespace) {
            return Err(AppError::bad_field(
                "contactEmail",
                format!("'{v}' is not an email address"),
            ));
        }
    }
    Ok(value)
}

pub(crate) fn phone(value: Option<&str>) -> AppResult<Option<String>> {
    let value = optional_text("contactPhone", value, 40)?;
    if let Some(v) = &value
        && !v.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
    {
        return Err(AppError::bad_field(
            "contactPhone",
            "a phone number has digits, spaces and + - ( ) only",
        ));
    }
    Ok(value)
}

pub(crate) fn lines(lines: &[ServiceLine], field: &str) -> AppResult<Vec<ServiceLine>> {
    let mut lines = lines.to_vec();
    lines.sort();
    lines.dedup();
    if lines.is_empty() {
        return Err(AppError::bad_field(
            field,
            "at least one service line is required",
        ));
    }
    Ok(lines)
}
