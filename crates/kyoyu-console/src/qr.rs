//! QR codes as inline SVG (no image request, no external library at run time in the browser).

use qrcodegen::{QrCode, QrCodeEcc};
use std::fmt::Write;

/// The light border around the code, in modules (the QR standard asks for four).
const QUIET_ZONE: i32 = 4;

/// `text` as an inline SVG QR code, titled `title` (escaped here), or `None` when the text is
/// too long for any QR code.
///
/// The SVG draws with presentation attributes only (`fill`), which the content security policy
/// allows: no `style` attribute.
pub fn qr_svg(text: &str, title: &str) -> Option<String> {
    let code = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = code.size();
    let full = size + 2 * QUIET_ZONE;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if code.get_module(x, y) {
                // Writing to a String cannot fail.
                let _ = write!(path, "M{},{}h1v1h-1z", x + QUIET_ZONE, y + QUIET_ZONE);
            }
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 {full} {full}\" \
         role=\"img\" aria-labelledby=\"qr-title\" shape-rendering=\"crispEdges\">\
         <title id=\"qr-title\">{title}</title>\
         <rect width=\"{full}\" height=\"{full}\" fill=\"#ffffff\"/>\
         <path d=\"{path}\" fill=\"#000000\"/></svg>",
        title = escape(title),
    ))
}

/// Escapes text for an XML element or attribute (the SVG pictures'
/// text, and text marked up by hand in `pages`).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str = "otpauth://totp/kyoyu:sato%40example.jp?secret=JBSWY3DPEHPK3PXP&issuer=kyoyu&algorithm=SHA1&digits=6&period=30";

    #[test]
    fn draws_every_dark_module_once() {
        let svg = qr_svg(URI, "QR <code>").unwrap();
        let code = QrCode::encode_text(URI, QrCodeEcc::Medium).unwrap();
        let dark = (0..code.size())
            .flat_map(|y| (0..code.size()).map(move |x| (x, y)))
            .filter(|&(x, y)| code.get_module(x, y))
            .count();
        assert_eq!(svg.matches("h1v1h-1z").count(), dark);
        let full = code.size() + 8;
        assert!(svg.contains(&format!("viewBox=\"0 0 {full} {full}\"")));
        // The finder pattern's corner is dark: the top-left module after the quiet zone.
        assert!(svg.contains("M4,4h1v1h-1z"));
        assert!(svg.contains("<title id=\"qr-title\">QR &lt;code&gt;</title>"));
        // The secret is in the picture, never in readable text.
        assert!(!svg.contains("JBSWY3DP"));
        assert!(!svg.contains("style"));
        assert_eq!(qr_svg(URI, "QR <code>").unwrap(), svg, "not deterministic");
    }

    #[test]
    fn too_long_is_none() {
        assert_eq!(qr_svg(&"x".repeat(5000), "t"), None);
    }
}
