//! NATS subject naming. Each deployment has its own prefix, so two systems can share one server.

/// `{prefix}.events.{aggregate_type}.{aggregate_id}`: the subject an event is published on.
pub fn event_subject(prefix: &str, aggregate_type: &str, aggregate_id: &str) -> String {
    format!("{prefix}.events.{aggregate_type}.{aggregate_id}")
}

/// Every event of a deployment: the stream's subject filter.
pub fn all_events(prefix: &str) -> String {
    format!("{prefix}.events.>")
}

/// Every event of one aggregate type: a projection's consumer filter.
pub fn aggregate_type_events(prefix: &str, aggregate_type: &str) -> String {
    format!("{prefix}.events.{aggregate_type}.>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_subject_matches_its_filters() {
        let subject = event_subject("shop1", "customer", "abc");
        assert_eq!(subject, "shop1.events.customer.abc");
        assert!(subject.starts_with(all_events("shop1").trim_end_matches('>')));
        assert!(
            subject.starts_with(aggregate_type_events("shop1", "customer").trim_end_matches('>'))
        );
    }
}
