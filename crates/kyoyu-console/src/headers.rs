//! The headers every console response carries, as a list and as a tower layer.
//!
//! The content security policy allows only the console's own files: no inline script or style
//! anywhere (the templates have none; the tests check), images only from the hub or `data:`,
//! forms only to the hub, no framing. Pages are never stored by caches (`no-store`): they show
//! marked intelligence. A response that set its own `Cache-Control` (the hashed assets:
//! [`crate::assets::ASSET_CACHE_CONTROL`]) keeps it.

use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, Request, Response};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower_layer::Layer;
use tower_service::Service;

/// The console's content security policy.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; \
base-uri 'none'; connect-src 'self'";

/// The features no console page uses.
pub const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=()";

/// The `Content-Type` of every page and fragment the render functions return.
pub const HTML_CONTENT_TYPE: &str = "text/html; charset=utf-8";

/// The `Cache-Control` of a page.
pub const PAGE_CACHE_CONTROL: &str = "no-store";

/// The security headers of every console response (without `Cache-Control`).
pub fn security_headers() -> [(HeaderName, HeaderValue); 6] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        ),
    ]
}

/// Sets the security headers on `headers` (replacing any of the same name), and
/// `Cache-Control: no-store` unless a `Cache-Control` is already there.
pub fn apply_security_headers(headers: &mut HeaderMap) {
    for (name, value) in security_headers() {
        headers.insert(name, value);
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(PAGE_CACHE_CONTROL),
        );
    }
}

/// A tower layer that gives every response of the wrapped service the console's headers
/// ([`apply_security_headers`]). Put it around the console's router.
#[derive(Debug, Clone, Copy, Default)]
pub struct SecurityHeadersLayer;

impl<S> Layer<S> for SecurityHeadersLayer {
    type Service = SecurityHeaders<S>;

    fn layer(&self, inner: S) -> SecurityHeaders<S> {
        SecurityHeaders { inner }
    }
}

/// The service of [`SecurityHeadersLayer`].
#[derive(Debug, Clone)]
pub struct SecurityHeaders<S> {
    inner: S,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for SecurityHeaders<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = WithHeaders<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        WithHeaders {
            inner: self.inner.call(request),
        }
    }
}

pin_project! {
    /// The response future of [`SecurityHeaders`].
    #[derive(Debug)]
    pub struct WithHeaders<F> {
        #[pin]
        inner: F,
    }
}

impl<F, B, E> Future for WithHeaders<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().inner.poll(cx) {
            Poll::Ready(Ok(mut response)) => {
                apply_security_headers(response.headers_mut());
                Poll::Ready(Ok(response))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;
    use std::future::{Ready, ready};

    /// A service answering every request with `response`.
    #[derive(Clone)]
    struct Fixed(Option<&'static str>);

    impl Service<Request<()>> for Fixed {
        type Response = Response<&'static str>;
        type Error = Infallible;
        type Future = Ready<Result<Response<&'static str>, Infallible>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _: Request<()>) -> Self::Future {
            let mut response = Response::new("body");
            if let Some(cache) = self.0 {
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            }
            // A handler's own weaker value is replaced.
            response.headers_mut().insert(
                header::X_FRAME_OPTIONS,
                HeaderValue::from_static("SAMEORIGIN"),
            );
            ready(Ok(response))
        }
    }

    fn call(service: Fixed) -> Response<&'static str> {
        let mut service = SecurityHeadersLayer.layer(service);
        let mut future = std::pin::pin!(service.call(Request::new(())));
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(Ok(response)) => response,
            other => panic!("not ready: {:?}", other.is_ready()),
        }
    }

    #[test]
    fn every_response_gets_the_headers() {
        let response = call(Fixed(None));
        let h = response.headers();
        assert_eq!(
            h["content-security-policy"],
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h.get_all("x-frame-options").iter().count(), 1);
        assert_eq!(h["cross-origin-opener-policy"], "same-origin");
        assert_eq!(
            h["permissions-policy"],
            "camera=(), microphone=(), geolocation=()"
        );
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(*response.body(), "body");
    }

    #[test]
    fn assets_keep_their_cache_control() {
        let response = call(Fixed(Some(crate::assets::ASSET_CACHE_CONTROL)));
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    }
}
