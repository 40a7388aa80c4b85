//! The SHOULD rules of STIX 2.1: warnings, errors in strict mode.

use crate::Ctx;
use crate::path::JsonPath;
use kyoyu_stix::schema::{Kind, TypeSpec};
use kyoyu_stix::vocab::vocabulary;
use serde_json::{Map, Value};

/// SHOULD rules for objects of a type the spec defines.
pub(crate) fn object(ctx: &mut Ctx<'_>, spec: &TypeSpec, map: &Map<String, Value>, path: &JsonPath<'_>) {
    for prop in spec.props {
        let Some(v) = map.get(prop.name) else { continue };
        match prop.kind {
            Kind::Open(vocab) => open_value(ctx, vocab, prop.name, v, &path.key(prop.name)),
            Kind::OpenList(vocab) => {
                for (i, item) in v.as_array().map(Vec::as_slice).unwrap_or_default().iter().enumerate() {
                    open_value(ctx, vocab, prop.name, item, &path.key(prop.name).index(i));
                }
            }
            _ => {}
        }
    }
}

fn open_value(ctx: &mut Ctx<'_>, vocab: &str, name: &str, v: &Value, p: &JsonPath<'_>) {
    let (Some(s), Some(voc)) = (v.as_str(), vocabulary(vocab)) else { return };
    if !voc.contains(s) {
        ctx.warn(
            "vocabulary",
            p,
            format!("'{s}' is not in the {vocab} vocabulary for '{name}'; prefer one of: {}", voc.values.join(", ")),
        );
    }
}

/// SHOULD rules for custom object types.
pub(crate) fn custom_object(ctx: &mut Ctx<'_>, ty: &str, _map: &Map<String, Value>, path: &JsonPath<'_>) {
    let _ = (ctx, ty, path);
}

/// SHOULD rules for a custom property on a spec-defined type.
pub(crate) fn custom_property(ctx: &mut Ctx<'_>, _spec: &TypeSpec, name: &str, p: &JsonPath<'_>) {
    let _ = (ctx, name, p);
}

/// SHOULD rules for a custom extension key.
pub(crate) fn custom_extension(ctx: &mut Ctx<'_>, _owner: &str, key: &str, p: &JsonPath<'_>) {
    let _ = (ctx, key, p);
}
