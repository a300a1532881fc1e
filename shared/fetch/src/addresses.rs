//! Which IP addresses a fetch may connect to: public unicast only.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `ip` is a public unicast address. Everything loopback, private, link-local,
/// shared (CGNAT), multicast, broadcast, documentation, benchmarking, reserved or unspecified
/// is not, in IPv4 and IPv6, and IPv6 forms that embed an IPv4 address are judged by it.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

/// Why a fetch may not connect to `ip`, in words for the person who sent the address (which
/// is never repeated back: the resolver's answer is none of their business).
pub fn refusal(ip: IpAddr) -> &'static str {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    let private = match ip {
        IpAddr::V4(v4) => {
            v4.is_private() || (v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1]))
        }
        IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00,
    };
    if ip.is_loopback() || ip.is_unspecified() {
        "That address is this server itself, so Facelens will not fetch it"
    } else if private {
        "That address is inside a private network, so Facelens will not fetch it"
    } else {
        "That address is not on the public internet, so Facelens will not fetch it"
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    // NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48), IPv4-compatible (::/96),
    // IPv4-translated (::ffff:0:0/96, SIIT) and 6to4 (2002::/16) all carry an IPv4 address.
    let embeds_v4 = (segments[0] == 0x64 && segments[1] == 0xff9b)
        || segments[..6].iter().all(|s| *s == 0)
        || (segments[..4].iter().all(|s| *s == 0) && segments[4] == 0xffff && segments[5] == 0)
        || segments[0] == 0x2002;
    if embeds_v4 {
        return false;
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00
        || (segments[0] & 0xffc0) == 0xfe80
        || (segments[0] & 0xffc0) == 0xfec0
        || (segments[0] == 0x2001 && segments[1] == 0x0db8)
        || (segments[0] == 0x2001 && segments[1] < 0x0200)
        || segments[0] == 0x0100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn named_ranges_are_refused_and_public_ones_allowed() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:0:127.0.0.1",
            "::ffff:0:10.0.0.1",
            "::ffff:0:8.8.8.8",
            "64:ff9b:1::a00:1",
            "64:ff9b::a9fe:a9fe",
            "::127.0.0.1",
            "2002:7f00:1::",
        ] {
            let ip: IpAddr = bad.parse().expect("valid ip");
            assert!(!is_public(ip), "{bad} must be refused");
        }
        for good in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = good.parse().expect("valid ip");
            assert!(is_public(ip), "{good} must be allowed");
        }
    }

    proptest! {
        #[test]
        fn every_private_v4_and_its_mapped_v6_form_is_refused(b in 0u8..=255, c in 0u8..=255, d in 0u8..=255) {
            for ip in [Ipv4Addr::new(10, b, c, d), Ipv4Addr::new(127, b, c, d), Ipv4Addr::new(169, 254, c, d), Ipv4Addr::new(192, 168, c, d)] {
                prop_assert!(!is_public(IpAddr::V4(ip)));
                prop_assert!(!is_public(IpAddr::V6(ip.to_ipv6_mapped())));
            }
        }
    }
}

#[cfg(test)]
mod refusals {
    use super::*;

    #[test]
    fn refusals_say_why_in_words_without_the_address() {
        let said = |text: &str| refusal(text.parse().expect("an address"));
        assert!(said("127.0.0.1").contains("this server itself"));
        assert!(said("::1").contains("this server itself"));
        for private in [
            "10.1.2.3",
            "192.168.0.7",
            "172.16.5.5",
            "::ffff:10.0.0.1",
            "fd00::1",
            "100.64.0.1",
        ] {
            assert!(said(private).contains("private network"), "{private}");
        }
        for other in ["169.254.169.254", "224.0.0.1", "192.0.2.1", "fe80::1"] {
            assert!(
                said(other).contains("not on the public internet"),
                "{other}"
            );
        }
        assert!(!said("10.1.2.3").contains("10.1.2.3"));
    }
}
