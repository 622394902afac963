//! Where a webhook may be sent: an `https://` address on the public internet. An address that
//! is, or resolves to, a private, loopback, link-local or otherwise internal one is refused
//! (a business must not make barber call into the network it runs in), unless the deployment
//! allows it (`WEBHOOKS_ALLOW_PRIVATE`, for a self-hosted shop's own tools and for tests, which
//! then may use `http://` too). Checked when an endpoint is registered and again before every
//! delivery, since a name may come to resolve elsewhere.

use std::net::IpAddr;

use reqwest::Url;

/// Why an address is refused, in words for the shop.
pub type Refusal = String;

/// Checks `url`; answers it parsed.
pub async fn check(url: &str, allow_private: bool) -> Result<Url, Refusal> {
    let parsed = Url::parse(url).map_err(|e| format!("not an address: {e}"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err("the address must start with https://".into()),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("the address must not carry a login".into());
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| "the address names no host".to_owned())?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    if allow_private {
        return Ok(parsed);
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| format!("{host} cannot be resolved: {e}"))?
            .map(|a| a.ip())
            .collect(),
    };
    if addresses.is_empty() {
        return Err(format!("{host} resolves to no address"));
    }
    if let Some(private) = addresses.iter().find(|ip| internal(**ip)) {
        return Err(format!("{host} is a private address ({private})"));
    }
    Ok(parsed)
}

/// Whether `ip` is not on the public internet.
fn internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
                || (a == 198 && (b == 18 || b == 19)) // benchmarking
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return internal(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || first == 0x2001 && v6.segments()[1] == 0x0db8 // documentation
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn internal_addresses_are_refused_unless_allowed() {
        for url in [
            "https://127.0.0.1/hook",
            "https://10.1.2.3/hook",
            "https://192.168.0.10/hook",
            "https://172.20.0.1/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/hook",
            "https://[::1]/hook",
            "https://[fd00::1]/hook",
            "https://[::ffff:10.0.0.1]/hook",
            "https://localhost/hook",
        ] {
            assert!(check(url, false).await.is_err(), "{url}");
        }
        assert!(
            check("http://93.184.216.34/hook", false).await.is_err(),
            "http"
        );
        assert!(check("https://user:pw@93.184.216.34/", false)
            .await
            .is_err());
        assert!(check("https://93.184.216.34/hook", false).await.is_ok());
        assert!(check("http://127.0.0.1:9/hook", true).await.is_ok());
        assert!(check("ftp://127.0.0.1/hook", true).await.is_err());
    }
}
