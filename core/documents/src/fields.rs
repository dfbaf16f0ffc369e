//! Reading and writing typed fields of automerge documents, shared by every schema here.
//! Each reader names the document kind, so an error names the document and the field
//! ("invalid cart document: missing field header.buyer_id").

use automerge::transaction::{CommitOptions, Transaction};
use automerge::{Automerge, ObjId, ObjType, ReadDoc, ScalarValue, Value};
use dms_domain::Timestamp;

use crate::error::{DocumentError, Result};

/// Reads fields of one document, naming `kind` in errors.
#[derive(Clone, Copy)]
pub(crate) struct Reader<'a> {
    pub doc: &'a Automerge,
    pub kind: &'static str,
}

impl<'a> Reader<'a> {
    pub fn new(doc: &'a Automerge, kind: &'static str) -> Reader<'a> {
        Reader { doc, kind }
    }

    pub fn invalid(&self, reason: impl Into<String>) -> DocumentError {
        DocumentError::Invalid {
            kind: self.kind,
            reason: reason.into(),
        }
    }

    /// Returns the map at `parent[name]`, naming it `path` in errors.
    pub fn object(&self, parent: &ObjId, name: &str, path: &str) -> Result<ObjId> {
        self.optional_object(parent, name, path)?
            .ok_or_else(|| self.invalid(format!("missing field {path}")))
    }

    pub fn optional_object(&self, parent: &ObjId, name: &str, path: &str) -> Result<Option<ObjId>> {
        match self.doc.get(parent, name)? {
            Some((Value::Object(ObjType::Map), id)) => Ok(Some(id)),
            Some(_) => Err(self.invalid(format!("field {path} must be a map"))),
            None => Ok(None),
        }
    }

    /// Returns the list at `parent[name]`, if present.
    pub fn optional_list(&self, parent: &ObjId, name: &str, path: &str) -> Result<Option<ObjId>> {
        match self.doc.get(parent, name)? {
            Some((Value::Object(ObjType::List), id)) => Ok(Some(id)),
            Some(_) => Err(self.invalid(format!("field {path} must be a list"))),
            None => Ok(None),
        }
    }

    /// Text at `obj[name]`, where `path` is the field's full name for errors.
    pub fn optional_text(&self, obj: &ObjId, name: &str, path: &str) -> Result<Option<String>> {
        match self.doc.get(obj, name)? {
            None => Ok(None),
            Some((Value::Scalar(scalar), _)) => match scalar.as_ref() {
                ScalarValue::Str(text) => Ok(Some(text.to_string())),
                _ => Err(self.invalid(format!("field {path} must be text"))),
            },
            // automerge-js stores a plain JavaScript string as a collaborative Text object.
            Some((Value::Object(ObjType::Text), _)) => Err(self.invalid(format!(
                "field {path} must be a scalar string, not a Text object (write it with ImmutableString in JavaScript)"
            ))),
            Some(_) => Err(self.invalid(format!("field {path} must be text"))),
        }
    }

    pub fn text(&self, obj: &ObjId, name: &str, path: &str) -> Result<String> {
        self.optional_text(obj, name, path)?
            .ok_or_else(|| self.invalid(format!("missing field {path}")))
    }

    pub fn optional_bool(&self, obj: &ObjId, name: &str, path: &str) -> Result<Option<bool>> {
        match self.doc.get(obj, name)? {
            None => Ok(None),
            Some((Value::Scalar(scalar), _)) => match scalar.as_ref() {
                ScalarValue::Boolean(value) => Ok(Some(*value)),
                _ => Err(self.invalid(format!("field {path} must be true or false"))),
            },
            Some(_) => Err(self.invalid(format!("field {path} must be true or false"))),
        }
    }

    /// Returns the text items of the list at `obj[name]`, or none when it is absent.
    pub fn text_list(&self, obj: &ObjId, name: &str, path: &str) -> Result<Vec<String>> {
        let Some(list) = self.optional_list(obj, name, path)? else {
            return Ok(Vec::new());
        };
        let mut items = Vec::new();
        for index in 0..self.doc.length(&list) {
            match self.doc.get(&list, index)? {
                Some((Value::Scalar(scalar), _)) => match scalar.as_ref() {
                    ScalarValue::Str(text) => items.push(text.to_string()),
                    _ => return Err(self.invalid(format!("items of {path} must be text"))),
                },
                _ => return Err(self.invalid(format!("items of {path} must be text"))),
            }
        }
        Ok(items)
    }
}

/// Runs `edit` as one transaction, stamped with `at` and `message`.
pub(crate) fn commit<F>(doc: &mut Automerge, at: &Timestamp, message: &str, edit: F) -> Result<()>
where
    F: FnOnce(&mut Transaction<'_>) -> Result<(), automerge::AutomergeError>,
{
    let seconds = at.unix_millis() / 1000;
    doc.transact_with(
        |_| {
            CommitOptions::default()
                .with_message(message.to_owned())
                .with_time(seconds)
        },
        edit,
    )
    .map(|_| ())
    .map_err(|failure| DocumentError::Automerge(failure.error))
}
