//! The delivery acknowledgement report of one shipment, as a printable HTML page and as a
//! one-page PDF with the same figures. Both parties (the seller's staff and the buyer) open
//! the same report; it is made from the reconciled `deliveries` tables.
//!
//! The "Shipment update" row states what became of the signed acknowledgement on its
//! order-to-cash shipment: the stored outcome (applied, skipped or refused) and its reason.

use std::fmt::Write as _;

use crate::reports::pdf;
use crate::tenant::field_store::DeliveryRecord;

/// The report as an HTML page; every value from the acknowledgement is escaped.
pub fn html(delivery: &DeliveryRecord) -> String {
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Delivery acknowledgement {shipment}</title>\
         <style>body{{font-family:Helvetica,Arial,sans-serif;margin:2em}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:4px 8px}}\
         td.n{{text-align:right}}@media print{{body{{margin:0}}}}</style></head><body>\n\
         <h1>Delivery acknowledgement</h1>\n<table>\n",
        shipment = escape(&delivery.shipment_id)
    );
    for (label, value) in summary(delivery) {
        let _ = writeln!(page, "<tr><th>{}</th><td>{}</td></tr>", escape(label), escape(&value));
    }
    page.push_str(
        "</table>\n<h2>Lines</h2>\n<table>\n<tr><th>Product</th><th>Name</th><th>Dispatched</th>\
                   <th>Delivered</th><th>Short</th><th>Damaged</th><th>Reason</th></tr>\n",
    );
    for line in &delivery.lines {
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td>{}</td></tr>",
            escape(&line.product_id),
            escape(&line.product_name),
            escape(&line.dispatched),
            escape(&line.delivered),
            escape(&line.short),
            escape(&line.damaged),
            escape(line.reason.as_deref().unwrap_or("")),
        );
    }
    let _ = writeln!(
        page,
        "<tr><th colspan=\"2\">Total</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
         <td class=\"n\">{}</td><td></td></tr>\n</table>",
        escape(&delivery.dispatched),
        escape(&delivery.delivered),
        escape(&delivery.short),
        escape(&delivery.damaged),
    );
    if !delivery.images.is_empty() {
        page.push_str("<h2>Images (SHA-256)</h2>\n<ul>\n");
        for image in &delivery.images {
            let _ = writeln!(
                page,
                "<li>{}: {} ({})</li>",
                escape(&image.role),
                escape(&image.sha256),
                escape(&image.media_type)
            );
        }
        page.push_str("</ul>\n");
    }
    page.push_str("</body></html>\n");
    page
}

/// The report as a one-page PDF in Helvetica, with the same figures as [`html`].
pub fn pdf(delivery: &DeliveryRecord) -> Vec<u8> {
    let mut lines = vec![format!("Delivery acknowledgement {}", delivery.shipment_id)];
    for (label, value) in summary(delivery) {
        lines.extend(wrap(&format!("{label}: {value}"), PDF_LINE_CHARS));
    }
    lines.push(String::new());
    lines.push("Product | Name | Dispatched | Delivered | Short | Damaged | Reason".to_owned());
    for line in &delivery.lines {
        lines.push(format!(
            "{} | {} | {} | {} | {} | {} | {}",
            line.product_id,
            line.product_name,
            line.dispatched,
            line.delivered,
            line.short,
            line.damaged,
            line.reason.as_deref().unwrap_or("-")
        ));
    }
    lines.push(format!(
        "Total | | {} | {} | {} | {} |",
        delivery.dispatched, delivery.delivered, delivery.short, delivery.damaged
    ));
    for image in &delivery.images {
        lines.push(format!("{}: {}", image.role, image.sha256));
    }
    pdf::one_page(&lines)
}

/// The header rows shared by both forms.
fn summary(delivery: &DeliveryRecord) -> Vec<(&'static str, String)> {
    let or_dash = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".to_owned());
    let countersign = match (&delivery.countersign_verdict, &delivery.countersigned_by) {
        (Some(verdict), Some(by)) => format!(
            "{verdict} by {by} at {}{}",
            or_dash(&delivery.countersigned_at),
            delivery
                .countersign_note
                .as_ref()
                .map(|note| format!(": {note}"))
                .unwrap_or_default()
        ),
        _ => "-".to_owned(),
    };
    let position = match (&delivery.captured_latitude, &delivery.captured_longitude) {
        (Some(latitude), Some(longitude)) => format!("{latitude}, {longitude}"),
        _ => "-".to_owned(),
    };
    vec![
        ("Shipment", delivery.shipment_id.clone()),
        ("Acknowledgement", delivery.ack_id.clone()),
        ("Buyer", delivery.buyer_id.clone()),
        ("Driver", delivery.driver_id.clone()),
        ("Vehicle", delivery.vehicle_number.clone()),
        ("Status", delivery.status.clone()),
        ("Receiver", or_dash(&delivery.receiver_name)),
        ("Receiver phone", or_dash(&delivery.receiver_phone)),
        ("Captured at", or_dash(&delivery.captured_at)),
        ("Position", position),
        ("Signed by", or_dash(&delivery.signed_by)),
        ("Signed at", or_dash(&delivery.signed_at)),
        ("Content SHA-256", or_dash(&delivery.content_sha256)),
        ("Countersign", countersign),
        ("Shipment update", shipment_update(delivery)),
    ]
}

/// Describes the signed acknowledgement's outcome on its order-to-cash shipment, such as
/// "applied - shipment … moved from dispatched to partly_delivered by acknowledgement …".
/// A buyer's copy of the record carries no reason (`crate::rest::field`), so it shows only the
/// outcome.
fn shipment_update(delivery: &DeliveryRecord) -> String {
    match (&delivery.shipment_outcome, &delivery.signed_at) {
        (Some(outcome), _) => match &delivery.shipment_outcome_reason {
            Some(reason) => format!("{outcome} - {reason}"),
            None => outcome.clone(),
        },
        (None, Some(_)) => "not applied: order to cash has no shipment with this id".to_owned(),
        (None, None) => "not applied: the acknowledgement is not signed yet".to_owned(),
    }
}

/// Characters of a PDF line that fit the page width at the report's font size, with room for
/// the widest Helvetica digits and capitals (an estimate: 515 points of width, 9-point text).
const PDF_LINE_CHARS: usize = 95;

/// Splits `text` at spaces into lines of at most `width` characters; later lines are indented
/// by four spaces. A word longer than `width` stays whole on its own line.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let length = line.chars().count();
        if length > 0 && length + 1 + word.chars().count() > width {
            lines.push(std::mem::replace(&mut line, "    ".to_owned()));
            line.push_str(word);
        } else {
            if length > 0 {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines.push(line);
    lines
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(character),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_splits_at_spaces() {
        assert_eq!(wrap("Shipment update: applied", 95), ["Shipment update: applied"]);
        assert_eq!(wrap("aaa bbb ccc dddd", 8), ["aaa bbb", "    ccc", "    dddd"]);
    }

    #[test]
    fn html_escapes_values() {
        assert_eq!(escape("<b>\"A&B\"</b>'"), "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;&#39;");
    }
}
