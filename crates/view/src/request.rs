//! What the edge reads from a request before any handler runs: the client's address behind a
//! trusted proxy, a field of a form body, a secret compared in constant time.

use axum::http::HeaderMap;
use subtle::ConstantTimeEq;

/// Whether a secret the request carried (a CSRF token) is the expected one, in time that does
/// not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The address a request comes from: the peer's, unless the peer is a trusted proxy, in which
/// case the nearest address in `X-Forwarded-For` that is not itself a trusted proxy. Entries
/// further left were written by the client and could say anything.
pub fn client_address(
    peer: std::net::IpAddr,
    headers: &HeaderMap,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in forwarded.iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return ip,
            // An entry that is not an address ends what can be believed.
            Err(_) => break,
        }
    }
    peer
}

/// One field of an `application/x-www-form-urlencoded` body, decoded.
pub fn form_field(urlencoded: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(urlencoded)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn tokens_are_compared_whole() {
        let a = kechuang_service::auth::random_token();
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, &a[..63]));
    }

    #[test]
    fn csrf_field_is_found_in_a_form() {
        assert_eq!(
            form_field(b"a=1&csrf=abc%20d&b=2", "csrf").as_deref(),
            Some("abc d")
        );
        assert_eq!(form_field(b"a=1", "csrf"), None);
    }

    #[test]
    fn only_a_trusted_proxy_names_the_client() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().expect("ip");
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.1.1.1, 203.0.113.5, 10.0.0.2"),
        );
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        // From the proxy: the nearest hop that is not a proxy; what the client wrote further
        // left is not believed.
        assert_eq!(
            client_address(ip("10.0.0.1"), &h, &proxies),
            ip("203.0.113.5")
        );
        // From anyone else the header is ignored.
        assert_eq!(
            client_address(ip("198.51.100.7"), &h, &proxies),
            ip("198.51.100.7")
        );
        assert_eq!(client_address(ip("10.0.0.1"), &h, &[]), ip("10.0.0.1"));
        // A garbled header leaves the proxy's own address.
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("not-an-address"),
        );
        assert_eq!(client_address(ip("10.0.0.1"), &h, &proxies), ip("10.0.0.1"));
    }
}
