//! The progress line of `barber rebuild`: a bar, the count, the share and the rate, redrawn in
//! place (`\r`) on the terminal's error stream.

use std::time::Duration;

use projections::RebuildProgress;

/// The bar's width in characters.
const WIDTH: u64 = 30;

/// One line: `customers [#########.....]  12000/40000 events  30%  25000 events/s`.
pub fn render(projection: &str, progress: RebuildProgress, elapsed: Duration) -> String {
    let total = progress.total.max(1);
    let done = progress.replayed.min(total);
    let filled = usize::try_from(done * WIDTH / total).unwrap_or(0);
    let empty = usize::try_from(WIDTH).unwrap_or(0).saturating_sub(filled);
    let rate = (progress.replayed as f64 / elapsed.as_secs_f64().max(0.001)).round();
    format!(
        "{projection} [{}{}] {}/{} events {:>3}% {rate} events/s",
        "#".repeat(filled),
        ".".repeat(empty),
        progress.replayed,
        progress.total,
        done * 100 / total,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_the_share_replayed() {
        let half = RebuildProgress {
            replayed: 500,
            total: 1000,
        };
        let line = render("customers", half, Duration::from_secs(2));
        assert_eq!(
            line,
            format!(
                "customers [{}{}] 500/1000 events  50% 250 events/s",
                "#".repeat(15),
                ".".repeat(15)
            )
        );
        let nothing = RebuildProgress {
            replayed: 0,
            total: 0,
        };
        let line = render("staff", nothing, Duration::ZERO);
        assert!(
            line.starts_with("staff [.............................."),
            "{line}"
        );
        assert!(line.contains("0/0 events   0%"), "{line}");
    }
}
