//! The address a request came from: the peer of its connection or, behind proxies the
//! deployment trusts (`FORWARDED_HOPS`, say 1 behind one ingress), the address the outermost of
//! them saw: the `hops`-th entry of `X-Forwarded-For` counted from the right (each proxy appends
//! the address it was reached from, so entries left of those are the client's to write and
//! never trusted). What limits guessing counts per address (`command::login_limits`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::problem::ApiError;

/// How many proxies in front of barber append to `X-Forwarded-For`; a router carries it as an
/// extension.
#[derive(Debug, Clone, Copy, Default)]
pub struct Forwarding {
    pub hops: usize,
}

/// The address a request came from (unspecified when the server was given no connection
/// information, as in a test that calls the router directly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
        let hops = parts.extensions.get::<Forwarding>().map_or(0, |f| f.hops);
        Ok(Self(forwarded(&parts.headers, hops).unwrap_or(peer)))
    }
}

/// The address the outermost of `hops` trusted proxies was reached from, if they said.
fn forwarded(headers: &axum::http::HeaderMap, hops: usize) -> Option<IpAddr> {
    if hops == 0 {
        return None;
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let at = entries.len().checked_sub(hops)?;
    entries.get(at)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderMap;

    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().expect("header value"));
        }
        headers
    }

    #[test]
    fn only_the_entries_the_trusted_proxies_appended_count() {
        let sent = headers(&["6.6.6.6, 203.0.113.7", "10.0.0.2"]);
        assert_eq!(forwarded(&sent, 0), None, "no proxy: the peer");
        assert_eq!(forwarded(&sent, 1), "10.0.0.2".parse().ok());
        assert_eq!(forwarded(&sent, 2), "203.0.113.7".parse().ok());
        // more hops than entries: the client wrote none of what is trusted
        assert_eq!(forwarded(&sent, 4), None);
        assert_eq!(forwarded(&headers(&["not an address"]), 1), None);
    }
}
