//! Places in a JSON document, for spoiling a valid body one value at a time.

use serde_json::Value;

/// A step into a JSON document.
#[derive(Clone)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Every value of the document, the document itself first, with where it is.
fn nodes(value: &Value) -> Vec<(Vec<Step>, &Value)> {
    fn walk<'a>(at: &mut Vec<Step>, value: &'a Value, found: &mut Vec<(Vec<Step>, &'a Value)>) {
        found.push((at.clone(), value));
        let children: Vec<(Step, &Value)> = match value {
            Value::Object(fields) => fields
                .iter()
                .map(|(key, item)| (Step::Key(key.clone()), item))
                .collect(),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(index, item)| (Step::Index(index), item))
                .collect(),
            _ => Vec::new(),
        };
        for (step, child) in children {
            at.push(step);
            walk(at, child, found);
            at.pop();
        }
    }
    let mut found = Vec::new();
    walk(&mut Vec::new(), value, &mut found);
    found
}

/// Every value that is neither an object nor an array, with where it is.
pub fn leaves(value: &Value) -> Vec<(Vec<Step>, &Value)> {
    nodes(value)
        .into_iter()
        .filter(|(_, node)| !node.is_object() && !node.is_array())
        .collect()
}

/// Where every object is, the document itself first.
pub fn objects(value: &Value) -> Vec<Vec<Step>> {
    nodes(value)
        .into_iter()
        .filter(|(_, node)| node.is_object())
        .map(|(at, _)| at)
        .collect()
}

pub fn pointer<'a>(value: &'a mut Value, at: &[Step]) -> Option<&'a mut Value> {
    at.iter().try_fold(value, |value, step| match step {
        Step::Key(key) => value.get_mut(key.as_str()),
        Step::Index(index) => value.get_mut(*index),
    })
}

/// `value` with what is `at` replaced by `new`.
pub fn replace(value: &Value, at: &[Step], new: Value) -> Value {
    let mut value = value.clone();
    if let Some(slot) = pointer(&mut value, at) {
        *slot = new;
    }
    value
}

/// `days[0].breaks[1].start`, or `the body`.
pub fn show(at: &[Step]) -> String {
    let mut shown = String::new();
    for step in at {
        match step {
            Step::Key(key) if shown.is_empty() => shown.push_str(key),
            Step::Key(key) => shown.push_str(&format!(".{key}")),
            Step::Index(index) => shown.push_str(&format!("[{index}]")),
        }
    }
    if shown.is_empty() {
        "the body".to_owned()
    } else {
        shown
    }
}
