//! `/assets/...`: the explorer's stylesheet and scripts and the pinned GraphiQL and React
//! bundles (`assets/vendor/`, written by `assets/vendor.sh` from the npm registry), embedded
//! in the binary so that a page needs nothing from another origin. Each answer has an ETag
//! (a repeat visit is a 304) and may be cached for an hour.

use poem::endpoint::EmbeddedFilesEndpoint;
use poem::http::{HeaderValue, header};
use poem::{Endpoint, EndpointExt, IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "assets/"]
#[exclude = "*.sh"]
#[exclude = "SHA256SUMS"]
pub(super) struct Assets;

pub(super) fn endpoint() -> impl Endpoint<Output = Response> {
    EmbeddedFilesEndpoint::<Assets>::new()
        .map_to_response()
        .map(|response| async move {
            let mut response = response.into_response();
            if response.status().is_success() {
                response.headers_mut().insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                );
                response.headers_mut().insert(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                );
            }
            response
        })
}
