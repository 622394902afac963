//! The shape every `barber <command> <verb> --name value …` line shares: one verb, then options
//! each with a value. Each command reads its own names from the pairs.

use uuid::Uuid;

/// The `--name value` pairs after the expected `verb` (`what` names the command in errors).
pub fn options<'a>(
    args: &'a [String],
    what: &str,
    verb: &str,
    usage: &str,
) -> Result<Vec<(&'a str, &'a str)>, String> {
    let Some((first, rest)) = args.split_first() else {
        return Err(usage.into());
    };
    if first != verb {
        return Err(format!("unknown {what} command {first:?}\n{usage}"));
    }
    let mut pairs = Vec::new();
    let mut rest = rest.iter();
    while let Some(option) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| format!("{option} needs a value\n{usage}"))?;
        pairs.push((option.as_str(), value.as_str()));
    }
    Ok(pairs)
}

/// `--business <id>`'s value.
pub fn business(value: &str) -> Result<Uuid, String> {
    value
        .parse()
        .map_err(|_| format!("--business {value:?} is not a UUID"))
}
