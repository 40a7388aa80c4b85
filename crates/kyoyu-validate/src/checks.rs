//! The MUST rules of STIX 2.1: errors.

use crate::path::JsonPath;
use crate::{Ctx, shoulds};
use kyoyu_stix::schema::{self, Category, Kind, Prop, Target, TypeSpec};
use kyoyu_stix::vocab::vocabulary;
use kyoyu_stix::{Identifier, Timestamp};
use serde_json::{Map, Value};

/// Checks the size bounds; returns false (after reporting) when exceeded.
pub(crate) fn within_limits(ctx: &mut Ctx<'_>, value: &Value, path: &JsonPath<'_>) -> bool {
    let limits = ctx.opts.limits;
    let mut stack = vec![(value, 1usize)];
    while let Some((v, depth)) = stack.pop() {
        let problem = match v {
            _ if depth > limits.max_depth => Some(format!(
                "nests deeper than {} levels; flatten the content",
                limits.max_depth
            )),
            Value::String(s) if s.len() > limits.max_string_bytes => Some(format!(
                "holds a string of {} bytes; at most {} are accepted",
                s.len(),
                limits.max_string_bytes
            )),
            Value::Array(a) if a.len() > limits.max_array_len => Some(format!(
                "holds a list of {} items; at most {} are accepted: split the content",
                a.len(),
                limits.max_array_len
            )),
            Value::Object(m) if m.len() > limits.max_properties => Some(format!(
                "holds an object with {} properties; at most {} are accepted",
                m.len(),
                limits.max_properties
            )),
            Value::Array(a) => {
                stack.extend(a.iter().map(|x| (x, depth + 1)));
                None
            }
            Value::Object(m) => {
                stack.extend(m.values().map(|x| (x, depth + 1)));
                None
            }
            _ => None,
        };
        if let Some(p) = problem {
            ctx.error("limit-exceeded", path, format!("the object {p}"));
            return false;
        }
    }
    true
}

/// `^-?[a-z0-9]+(-[a-z0-9]+)*-?$`, 3–250 characters (spec 3.1 type names).
pub(crate) fn type_name_ok(t: &str) -> bool {
    let core = t.strip_prefix('-').unwrap_or(t);
    let core = core.strip_suffix('-').unwrap_or(core);
    (3..=250).contains(&t.len())
        && !core.is_empty()
        && core.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// `^[a-z0-9_]{3,250}$` (spec 3.1 property names).
pub(crate) fn property_name_ok(p: &str) -> bool {
    (3..=250).contains(&p.len())
        && p.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

/// Checks one top-level object.
pub(crate) fn object(ctx: &mut Ctx<'_>, value: &Value, path: &JsonPath<'_>) {
    let Some(map) = value.as_object() else {
        ctx.error(
            "not-an-object",
            path,
            "a STIX object must be a JSON object ({…})",
        );
        return;
    };
    let Some(ty) = map.get("type") else {
        ctx.error(
            "required-property",
            &path.key("type"),
            "every STIX object needs a 'type' property",
        );
        return;
    };
    let Some(ty) = ty.as_str() else {
        ctx.error("wrong-type", &path.key("type"), "'type' must be a string");
        return;
    };
    if !type_name_ok(ty) {
        ctx.error(
            "type-name",
            &path.key("type"),
            format!("'{ty}' is not a valid type name: use 3-250 lower-case letters, digits and single hyphens"),
        );
    }
    match schema::type_spec(ty) {
        Some(spec) if spec.category == Category::Bundle => bundle(ctx, map, path),
        Some(spec) => known_object(ctx, spec, map, path),
        None => custom_object(ctx, ty, map, path),
    }
}

fn id_property(
    ctx: &mut Ctx<'_>,
    ty: &str,
    map: &Map<String, Value>,
    path: &JsonPath<'_>,
) -> Option<Identifier> {
    let p = path.key("id");
    let Some(v) = map.get("id") else {
        ctx.error(
            "required-property",
            &p,
            "the 'id' property is required: '<type>--<UUID>'",
        );
        return None;
    };
    let Some(s) = v.as_str() else {
        ctx.error("wrong-type", &p, "'id' must be a string '<type>--<UUID>'");
        return None;
    };
    match Identifier::parse(s) {
        Ok(id) if id.object_type() != ty => {
            ctx.error(
                "id-type-mismatch",
                &p,
                format!("'{s}' must start with the object's type: '{ty}--'"),
            );
            None
        }
        Ok(id) => {
            uuid_rules(ctx, &id, map, &p);
            Some(id)
        }
        Err(e) => {
            ctx.error("identifier", &p, format!("'{s}' is not an identifier: {e}"));
            None
        }
    }
}

/// RFC 4122 UUIDs (variant 10xx, versions 1–5), spec 2.9. Which version
/// to use is a SHOULD (see `shoulds::uuid_version`), except where the spec
/// says MUST: a process, and an SCO without ID-contributing properties,
/// use UUIDv4.
fn uuid_rules(ctx: &mut Ctx<'_>, id: &Identifier, map: &Map<String, Value>, p: &JsonPath<'_>) {
    let uuid = id.uuid();
    let version = uuid.get_version_num();
    if uuid.get_variant() != uuid::Variant::RFC4122 || !(1..=5).contains(&version) {
        ctx.error(
            "identifier",
            p,
            format!("'{id}' does not hold an RFC 4122 UUID (version 1-5, variant bits 10xx)"),
        );
        return;
    }
    let ty = id.object_type();
    let needs_v4 = ty == "process"
        || (matches!(
            ty,
            "artifact"
                | "email-message"
                | "user-account"
                | "windows-registry-key"
                | "x509-certificate"
        ) && kyoyu_stix::id::id_contributing_properties(ty)
            .is_some_and(|props| !props.iter().any(|k| map.contains_key(*k))));
    if needs_v4 && version != 4 {
        ctx.error(
            "uuid-version",
            p,
            format!("'{id}' must use a UUIDv4: a {ty} without ID-contributing properties has no deterministic id (spec 2.9)"),
        );
    }
}

fn known_object(
    ctx: &mut Ctx<'_>,
    spec: &'static TypeSpec,
    map: &Map<String, Value>,
    path: &JsonPath<'_>,
) {
    id_property(ctx, spec.name, map, path);
    let common = schema::common_props(spec);
    // One pass over the object's properties, then one over the required ones.
    for (name, value) in map {
        if name == "id" || name == "type" {
            continue;
        }
        match common.iter().chain(spec.props).find(|p| p.name == name) {
            Some(prop) => {
                if present_value(ctx, name, value, &path.key(name)) {
                    property(ctx, spec.name, prop, value, &path.key(name));
                }
            }
            None => custom_property(ctx, map, name, value, path),
        }
    }
    for prop in common.iter().chain(spec.props).filter(|p| p.required) {
        if !map.contains_key(prop.name) && prop.name != "id" && prop.name != "type" {
            ctx.error(
                "required-property",
                &path.key(prop.name),
                format!("'{}' is required on a {}", prop.name, spec.name),
            );
        }
    }
    if spec.category != Category::Sco && spec.name != "marking-definition" {
        for name in ["created", "modified"] {
            millisecond_precision(ctx, map, name, path);
        }
    }
    if spec.category == Category::Sco {
        if let Some(v) = map.get("spec_version").and_then(Value::as_str)
            && v != "2.1"
        {
            ctx.error(
                "spec-version",
                &path.key("spec_version"),
                "'spec_version' must be \"2.1\"",
            );
        }
    } else if let Some(v) = map.get("spec_version").and_then(Value::as_str)
        && v != "2.1"
    {
        ctx.error(
            "spec-version",
            &path.key("spec_version"),
            "'spec_version' must be \"2.1\" for STIX 2.1 content",
        );
    }
    specific(ctx, spec, map, path);
    shoulds::object(ctx, spec, map, path);
}

fn custom_object(ctx: &mut Ctx<'_>, ty: &str, map: &Map<String, Value>, path: &JsonPath<'_>) {
    id_property(ctx, ty, map, path);
    // A custom object follows the common-property rules of an SDO where it uses them.
    for prop in schema::SDO_COMMON {
        if let Some(v) = map.get(prop.name)
            && prop.name != "id"
            && prop.name != "type"
            && !v.is_null()
            && v != &Value::Array(Vec::new())
        {
            property(ctx, ty, prop, v, &path.key(prop.name));
        }
    }
    for (name, value) in map {
        let common = schema::SDO_COMMON.iter().any(|p| p.name == name);
        if !common {
            custom_value(ctx, name, value, &path.key(name));
        } else if name != "id" && name != "type" {
            present_value(ctx, name, value, &path.key(name));
        }
    }
    if ty == "action" {
        ctx.error(
            "reserved-type",
            &path.key("type"),
            "'action' is a reserved object type in STIX 2.1",
        );
    }
    if map.contains_key("created") || map.contains_key("modified") {
        for name in ["created", "modified"] {
            millisecond_precision(ctx, map, name, path);
        }
    }
    timestamps_order(ctx, map, path, "created", "modified", Order::NotBefore);
    shoulds::custom_object(ctx, ty, map, path);
}

/// Properties no STIX object may carry (spec 3.1, reserved names).
pub(crate) const RESERVED: [&str; 4] = ["severity", "action", "username", "phone_numbers"];

fn custom_property(
    ctx: &mut Ctx<'_>,
    map: &Map<String, Value>,
    name: &str,
    value: &Value,
    path: &JsonPath<'_>,
) {
    let p = path.key(name);
    custom_value(ctx, name, value, &p);
    shoulds::custom_property(ctx, name, &p, map);
}

/// Rules for any property a type does not define: its name, reserved
/// names, null and empty values, and the `_bin` / `_hex` suffix conventions.
fn custom_value(ctx: &mut Ctx<'_>, name: &str, value: &Value, p: &JsonPath<'_>) {
    if RESERVED.contains(&name) {
        ctx.error(
            "reserved-property",
            p,
            format!("'{name}' is a reserved property name in STIX 2.1; rename it"),
        );
    } else if !property_name_ok(name) {
        ctx.error(
            "property-name",
            p,
            format!("'{name}' is not a valid property name: use 3-250 lower-case letters, digits and '_'"),
        );
    }
    if !present_value(ctx, name, value, p) {
        return;
    }
    if name.ends_with("_bin") && !value.as_str().is_some_and(base64_ok) {
        ctx.error(
            "binary",
            p,
            format!("'{name}' ends in _bin, so it must be base64 text"),
        );
    }
    if name.ends_with("_hex") && !value.as_str().is_some_and(hex_ok) {
        ctx.error(
            "hex",
            p,
            format!(
                "'{name}' ends in _hex, so it must be hexadecimal with an even number of digits"
            ),
        );
    }
}

/// A property that is present must have a value: not null, not an empty list
/// (spec 3.1: omit optional properties instead). Returns whether it has one.
fn present_value(ctx: &mut Ctx<'_>, name: &str, v: &Value, p: &JsonPath<'_>) -> bool {
    match v {
        Value::Null => {
            ctx.error(
                "null-value",
                p,
                format!("'{name}' is null; leave the property out instead"),
            );
            false
        }
        Value::Array(a) if a.is_empty() => {
            ctx.error(
                "empty-list",
                p,
                format!("'{name}' must not be an empty list; omit it instead"),
            );
            false
        }
        _ => true,
    }
}

fn hex_ok(s: &str) -> bool {
    !s.is_empty() && s.len().is_multiple_of(2) && s.bytes().all(|c| c.is_ascii_hexdigit())
}

/// `created` and `modified` of SDOs and SROs are precise to the millisecond (spec 3.2).
fn millisecond_precision(
    ctx: &mut Ctx<'_>,
    map: &Map<String, Value>,
    name: &str,
    path: &JsonPath<'_>,
) {
    let Some(s) = map.get(name).and_then(Value::as_str) else {
        return;
    };
    if let Ok(t) = Timestamp::parse(s)
        && t.precision() < 3
    {
        ctx.error(
            "timestamp-precision",
            &path.key(name),
            format!(
                "'{name}' must be precise to the millisecond, e.g. {}",
                with_millis(s)
            ),
        );
    }
}

fn with_millis(s: &str) -> String {
    let body = s.trim_end_matches('Z');
    match body.split_once('.') {
        Some((whole, frac)) => format!("{whole}.{frac:0<3}Z"),
        None => format!("{body}.000Z"),
    }
}

fn bundle(ctx: &mut Ctx<'_>, map: &Map<String, Value>, path: &JsonPath<'_>) {
    id_property(ctx, "bundle", map, path);
    match map.get("spec_version") {
        Some(v) if v != "2.1" => ctx.error(
            "spec-version",
            &path.key("spec_version"),
            "this bundle declares other than STIX 2.1 content; kyoyu validates STIX 2.1 (and a 2.1 bundle has no 'spec_version')",
        ),
        _ => {}
    }
    if let Some(lang) = map.get("lang").and_then(Value::as_str)
        && !kyoyu_stix::lang::is_language_tag(lang)
    {
        ctx.error(
            "language-tag",
            &path.key("lang"),
            format!("'{lang}' is not an RFC 5646 language tag"),
        );
    }
    shoulds::bundle(ctx, map, path);
    if let Some(objects) = map.get("objects") {
        match objects.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    if !item.is_object() {
                        ctx.error(
                            "not-an-object",
                            &path.key("objects").index(i),
                            "bundle members must be STIX objects",
                        );
                    }
                }
            }
            None => ctx.error(
                "wrong-type",
                &path.key("objects"),
                "'objects' must be a list of STIX objects",
            ),
        }
    }
}

/// Checks a property value against its kind.
pub(crate) fn property(ctx: &mut Ctx<'_>, owner: &str, prop: &Prop, v: &Value, p: &JsonPath<'_>) {
    let name = prop.name;
    match prop.kind {
        Kind::Str | Kind::Open(_) => expect_string(ctx, v, p, name),
        Kind::Bool => {
            if !v.is_boolean() {
                ctx.error("wrong-type", p, format!("'{name}' must be true or false"));
            }
        }
        Kind::Int(min, max) => integer(ctx, v, p, name, min, max),
        Kind::Float(min, max) => match v.as_f64() {
            Some(f) if v.is_number() => {
                if min.is_some_and(|m| f < m) || max.is_some_and(|m| f > m) {
                    ctx.error(
                        "out-of-range",
                        p,
                        format!("'{name}' must be between {min:?} and {max:?}"),
                    );
                }
            }
            _ => ctx.error("wrong-type", p, format!("'{name}' must be a number")),
        },
        Kind::Timestamp => {
            timestamp(ctx, v, p, name);
        }
        Kind::Ref(target) => reference(ctx, v, p, name, target),
        Kind::Refs(target) => {
            if let Some(items) = non_empty_list(ctx, v, p, name) {
                for (i, item) in items.iter().enumerate() {
                    reference(ctx, item, &p.index(i), name, target);
                }
            }
        }
        Kind::Strs | Kind::OpenList(_) => {
            if let Some(items) = non_empty_list(ctx, v, p, name) {
                for (i, item) in items.iter().enumerate() {
                    expect_string(ctx, item, &p.index(i), name);
                }
            }
        }
        Kind::Enum(vocab) => enumeration(ctx, v, p, name, vocab),
        Kind::EnumList(vocab) => {
            if let Some(items) = non_empty_list(ctx, v, p, name) {
                for (i, item) in items.iter().enumerate() {
                    enumeration(ctx, item, &p.index(i), name, vocab);
                }
            }
        }
        Kind::Hashes => hashes(ctx, v, p, name),
        Kind::Dict => dictionary(ctx, v, p, name),
        Kind::Binary => {
            if !v.as_str().is_some_and(base64_ok) {
                ctx.error(
                    "binary",
                    p,
                    format!("'{name}' must be base64 text (RFC 4648)"),
                );
            }
        }
        Kind::Hex => {
            if !v.as_str().is_some_and(hex_ok) {
                ctx.error(
                    "hex",
                    p,
                    format!("'{name}' must be hexadecimal with an even number of digits"),
                );
            }
        }
        Kind::Struct(s) => structure(ctx, s, v, p),
        Kind::StructList(s) => {
            if let Some(items) = non_empty_list(ctx, v, p, name) {
                for (i, item) in items.iter().enumerate() {
                    structure(ctx, s, item, &p.index(i));
                }
            }
        }
        Kind::KillChain => list_of_structs(ctx, "kill-chain-phase", v, p, name),
        Kind::ExternalRefs => {
            list_of_structs(ctx, "external-reference", v, p, name);
            external_references(ctx, v, p);
        }
        Kind::GranularMarkings => {
            list_of_structs(ctx, "granular-marking", v, p, name);
            granular_markings_shape(ctx, v, p);
        }
        Kind::Extensions => extensions(ctx, owner, v, p),
        Kind::Any => {}
    }
}

fn expect_string(ctx: &mut Ctx<'_>, v: &Value, p: &JsonPath<'_>, name: &str) {
    if !v.is_string() {
        ctx.error("wrong-type", p, format!("'{name}' must be a string"));
    }
}

/// JSON Schema's `integer`: a number with no fractional part (so `1.0` counts).
pub(crate) fn as_integer(v: &Value) -> Option<f64> {
    let n = v.as_number()?;
    if let Some(i) = n.as_i64() {
        return Some(i as f64);
    }
    if let Some(u) = n.as_u64() {
        return Some(u as f64);
    }
    n.as_f64().filter(|f| f.fract() == 0.0)
}

fn integer(
    ctx: &mut Ctx<'_>,
    v: &Value,
    p: &JsonPath<'_>,
    name: &str,
    min: Option<i64>,
    max: Option<i64>,
) {
    let Some(n) = as_integer(v) else {
        ctx.error("wrong-type", p, format!("'{name}' must be a whole number"));
        return;
    };
    let below = min.is_some_and(|m| n < m as f64);
    let above = max.is_some_and(|m| n > m as f64);
    if below || above {
        let range = match (min, max) {
            (Some(a), Some(b)) => format!("between {a} and {b}"),
            (Some(a), None) => format!("at least {a}"),
            (None, Some(b)) => format!("at most {b}"),
            (None, None) => String::new(),
        };
        ctx.error("out-of-range", p, format!("'{name}' must be {range}"));
    }
}

fn non_empty_list<'v>(
    ctx: &mut Ctx<'_>,
    v: &'v Value,
    p: &JsonPath<'_>,
    name: &str,
) -> Option<&'v Vec<Value>> {
    match v.as_array() {
        Some(a) if a.is_empty() => {
            ctx.error(
                "empty-list",
                p,
                format!("'{name}' must not be an empty list; omit it instead"),
            );
            None
        }
        Some(a) => Some(a),
        None => {
            ctx.error("wrong-type", p, format!("'{name}' must be a list"));
            None
        }
    }
}

/// Parses a STIX timestamp value, reporting what is wrong.
pub(crate) fn timestamp(
    ctx: &mut Ctx<'_>,
    v: &Value,
    p: &JsonPath<'_>,
    name: &str,
) -> Option<Timestamp> {
    let Some(s) = v.as_str() else {
        ctx.error(
            "wrong-type",
            p,
            format!("'{name}' must be a timestamp string such as 2024-04-01T09:30:00.000Z"),
        );
        return None;
    };
    match Timestamp::parse(s) {
        Ok(t) => Some(t),
        Err(e) => {
            ctx.error(
                "timestamp",
                p,
                format!("'{name}' value '{s}' is not a valid STIX timestamp: {e}"),
            );
            None
        }
    }
}

fn target_ok(target: Target, ty: &str) -> bool {
    let cat = schema::category(ty);
    match target {
        Target::Types(types) => types.contains(&ty),
        Target::Sdo => matches!(cat, Category::Sdo | Category::Custom),
        Target::Sco => matches!(cat, Category::Sco | Category::Custom),
        Target::SdoOrSco => matches!(cat, Category::Sdo | Category::Sco | Category::Custom),
        Target::ScoOrSro => matches!(cat, Category::Sco | Category::Sro | Category::Custom),
        Target::Any => true,
    }
}

fn describe_target(target: Target) -> String {
    match target {
        Target::Types(types) => types.join(" or "),
        Target::Sdo => "a STIX Domain Object".into(),
        Target::Sco => "a Cyber-observable Object".into(),
        Target::SdoOrSco => "an SDO or SCO".into(),
        Target::ScoOrSro => "an SCO or SRO".into(),
        Target::Any => "a STIX object".into(),
    }
}

fn reference(ctx: &mut Ctx<'_>, v: &Value, p: &JsonPath<'_>, name: &str, target: Target) {
    let Some(s) = v.as_str() else {
        ctx.error(
            "wrong-type",
            p,
            format!("'{name}' must be an identifier string"),
        );
        return;
    };
    match kyoyu_stix::id::split(s) {
        Err(e) => ctx.error(
            "identifier",
            p,
            format!("'{name}' value '{s}' is not an identifier: {e}"),
        ),
        Ok((ty, _)) if !target_ok(target, ty) => ctx.error(
            "reference-type",
            p,
            format!(
                "'{name}' must refer to {}, not to a {ty}",
                describe_target(target)
            ),
        ),
        Ok((ty, _)) if !type_name_ok(ty) => ctx.error(
            "identifier",
            p,
            format!("'{s}' does not start with a valid type name"),
        ),
        Ok(_) => {}
    }
}

fn enumeration(ctx: &mut Ctx<'_>, v: &Value, p: &JsonPath<'_>, name: &str, vocab: &str) {
    let Some(s) = v.as_str() else {
        ctx.error("wrong-type", p, format!("'{name}' must be a string"));
        return;
    };
    if let Some(voc) = vocabulary(vocab)
        && !voc.contains(s)
    {
        ctx.error(
            "enum-value",
            p,
            format!(
                "'{s}' is not allowed for '{name}'; use one of: {}",
                voc.values.join(", ")
            ),
        );
    }
}

fn hashes(ctx: &mut Ctx<'_>, v: &Value, p: &JsonPath<'_>, name: &str) {
    let Some(map) = v.as_object() else {
        ctx.error(
            "wrong-type",
            p,
            format!("'{name}' must be a dictionary of hash algorithm to hash value"),
        );
        return;
    };
    if map.is_empty() {
        ctx.error(
            "empty-dictionary",
            p,
            format!("'{name}' must hold at least one hash"),
        );
    }
    for (alg, value) in map {
        let hp = p.key(alg);
        if !(3..=250).contains(&alg.len())
            || !alg
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        {
            ctx.error(
                "hash-name",
                &hp,
                format!("'{alg}' is not a valid hash algorithm name (3-250 of A-Z a-z 0-9 - _)"),
            );
        }
        match value.as_str() {
            None => ctx.error("wrong-type", &hp, "hash values must be strings"),
            Some(h) => {
                if let Some(problem) = kyoyu_stix::hashes::check(alg, h) {
                    ctx.error("hash-value", &hp, problem);
                }
            }
        }
    }
}

fn dictionary(ctx: &mut Ctx<'_>, v: &Value, p: &JsonPath<'_>, name: &str) {
    let Some(map) = v.as_object() else {
        ctx.error(
            "wrong-type",
            p,
            format!("'{name}' must be a dictionary (JSON object)"),
        );
        return;
    };
    for key in map.keys() {
        if key.is_empty() || key.len() > 250 || !key.is_ascii() {
            ctx.error(
                "dictionary-key",
                &p.key(key),
                "dictionary keys must be 1-250 ASCII characters",
            );
        }
    }
}

fn base64_ok(s: &str) -> bool {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(4) {
        return false;
    }
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    pad <= 2
        && b.iter()
            .take(b.len() - pad)
            .all(|&c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

fn structure(ctx: &mut Ctx<'_>, name: &str, v: &Value, p: &JsonPath<'_>) {
    let Some(spec) = schema::struct_spec(name) else {
        return;
    };
    let Some(map) = v.as_object() else {
        ctx.error("wrong-type", p, format!("must be a {name} object"));
        return;
    };
    for prop in spec.props {
        match map.get(prop.name) {
            None if prop.required => ctx.error(
                "required-property",
                &p.key(prop.name),
                format!("'{}' is required in a {name}", prop.name),
            ),
            None => {}
            Some(x) => property(ctx, name, prop, x, &p.key(prop.name)),
        }
    }
}

fn list_of_structs(ctx: &mut Ctx<'_>, s: &str, v: &Value, p: &JsonPath<'_>, name: &str) {
    if let Some(items) = non_empty_list(ctx, v, p, name) {
        for (i, item) in items.iter().enumerate() {
            structure(ctx, s, item, &p.index(i));
        }
    }
}

/// An external reference needs at least one of description, url, external_id (spec 2.5).
fn external_references(ctx: &mut Ctx<'_>, v: &Value, p: &JsonPath<'_>) {
    for (i, r) in v
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let Some(m) = r.as_object() else { continue };
        let source = m
            .get("source_name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let ext_id = m.get("external_id").and_then(Value::as_str);
        let cve = |s: &str| {
            s.strip_prefix("CVE-")
                .and_then(|r| r.split_once('-'))
                .is_some_and(|(y, n)| {
                    y.len() == 4
                        && y.bytes().all(|c| c.is_ascii_digit())
                        && n.len() >= 4
                        && n.bytes().all(|c| c.is_ascii_digit())
                })
        };
        let capec = |s: &str| {
            s.strip_prefix("CAPEC-")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
        };
        match (source, ext_id) {
            ("cve", id) if !id.is_some_and(cve) => ctx.error(
                "external-reference",
                &p.index(i),
                "a 'cve' reference needs an 'external_id' such as CVE-2024-12345",
            ),
            ("capec", id) if !id.is_some_and(capec) => ctx.error(
                "external-reference",
                &p.index(i),
                "a 'capec' reference needs an 'external_id' such as CAPEC-98",
            ),
            (s, Some(id)) if s != "cve" && s != "capec" && (cve(id) || capec(id)) => ctx.error(
                "external-reference",
                &p.index(i),
                format!("'{id}' is a CVE or CAPEC id: its 'source_name' must be 'cve' or 'capec'"),
            ),
            _ => {}
        }
        if !["description", "url", "external_id"]
            .iter()
            .any(|k| m.contains_key(*k))
        {
            ctx.error(
                "external-reference",
                &p.index(i),
                "an external reference needs at least one of 'description', 'url' or 'external_id'",
            );
        }
    }
}

/// Each granular marking has exactly one of marking_ref and lang (spec 7.2.3).
fn granular_markings_shape(ctx: &mut Ctx<'_>, v: &Value, p: &JsonPath<'_>) {
    for (i, g) in v
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let Some(m) = g.as_object() else { continue };
        match (m.contains_key("marking_ref"), m.contains_key("lang")) {
            (true, true) => ctx.error(
                "granular-marking",
                &p.index(i),
                "use either 'marking_ref' or 'lang', not both",
            ),
            (false, false) => ctx.error(
                "granular-marking",
                &p.index(i),
                "a granular marking needs 'marking_ref' or 'lang'",
            ),
            _ => {}
        }
    }
}

fn extensions(ctx: &mut Ctx<'_>, owner: &str, v: &Value, p: &JsonPath<'_>) {
    let Some(map) = v.as_object() else {
        ctx.error(
            "wrong-type",
            p,
            "'extensions' must be a dictionary of extension name to extension",
        );
        return;
    };
    if map.is_empty() {
        ctx.error(
            "empty-dictionary",
            p,
            "'extensions' must not be empty; omit it instead",
        );
    }
    let predefined = schema::predefined_extensions(owner);
    for (key, ext) in map {
        let ep = p.key(key);
        if !ext.is_object() {
            ctx.error(
                "wrong-type",
                &ep,
                format!("extension '{key}' must be a JSON object"),
            );
            continue;
        }
        if key.starts_with("extension-definition--") {
            if Identifier::parse(key).is_err() {
                ctx.error(
                    "identifier",
                    &ep,
                    format!("'{key}' is not an extension-definition identifier"),
                );
            }
            match ext.get("extension_type").map(|t| t.as_str()) {
                None => {}
                Some(Some(t)) if vocabulary("extension-type").is_some_and(|v| v.contains(t)) => {}
                Some(_) => ctx.error(
                    "enum-value",
                    &ep.key("extension_type"),
                    "'extension_type' must be one of new-sdo, new-sco, new-sro, property-extension, toplevel-property-extension",
                ),
            }
        } else if predefined.contains(&key.as_str()) {
            structure(ctx, key, ext, &ep);
        } else if !key.ends_with("-ext") {
            ctx.error(
                "extension-name",
                &ep,
                format!("'{key}' is not an extension name: use an extension-definition id, or a name ending in '-ext'"),
            );
        }
    }
}

/// How two timestamps of one object must be ordered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// The later one may equal the earlier one (`modified >= created`).
    NotBefore,
    /// The later one must be strictly later (`valid_until > valid_from`).
    After,
}

fn timestamps_order(
    ctx: &mut Ctx<'_>,
    map: &Map<String, Value>,
    path: &JsonPath<'_>,
    early: &str,
    late: &str,
    order: Order,
) {
    let get = |k: &str| {
        map.get(k)
            .and_then(Value::as_str)
            .and_then(|s| Timestamp::parse(s).ok())
    };
    let Some((a, b)) = get(early).zip(get(late)) else {
        return;
    };
    let wrong = match order {
        Order::NotBefore => b < a,
        Order::After => b <= a,
    };
    if wrong {
        let rule = if order == Order::After {
            "be later than"
        } else {
            "not be earlier than"
        };
        ctx.error(
            "timestamp-order",
            &path.key(late),
            format!("'{late}' ({b}) must {rule} '{early}' ({a})"),
        );
    }
}

/// Rules specific to one type.
fn specific(ctx: &mut Ctx<'_>, spec: &TypeSpec, map: &Map<String, Value>, path: &JsonPath<'_>) {
    timestamps_order(ctx, map, path, "created", "modified", Order::NotBefore);
    if let Some(lang) = map.get("lang").and_then(Value::as_str)
        && !kyoyu_stix::lang::is_language_tag(lang)
    {
        ctx.error(
            "language-tag",
            &path.key("lang"),
            format!("'{lang}' is not an RFC 5646 language tag such as 'ja' or 'en-US'"),
        );
    }
    let has = |k: &str| map.contains_key(k);
    match spec.name {
        "observed-data" => {
            timestamps_order(
                ctx,
                map,
                path,
                "first_observed",
                "last_observed",
                Order::NotBefore,
            );
            match (has("objects"), has("object_refs")) {
                (true, true) => ctx.error(
                    "observed-data-objects",
                    path,
                    "use either 'object_refs' or the deprecated 'objects', not both",
                ),
                (false, false) => ctx.error(
                    "observed-data-objects",
                    path,
                    "observed-data needs 'object_refs' (or the deprecated 'objects')",
                ),
                _ => {}
            }
        }
        "indicator" => {
            timestamps_order(ctx, map, path, "valid_from", "valid_until", Order::After);
            indicator_pattern(ctx, map, path);
        }
        "sighting" | "campaign" | "intrusion-set" | "threat-actor" | "infrastructure"
        | "malware" => {
            timestamps_order(ctx, map, path, "first_seen", "last_seen", Order::NotBefore);
            if spec.name == "malware"
                && map.get("is_family") == Some(&Value::Bool(true))
                && !has("name")
            {
                ctx.error(
                    "required-property",
                    &path.key("name"),
                    "a malware family (is_family: true) must have a 'name'",
                );
            }
        }
        "relationship" => {
            timestamps_order(ctx, map, path, "start_time", "stop_time", Order::After);
            if let Some(rt) = map.get("relationship_type").and_then(Value::as_str) {
                let ok = !rt.is_empty()
                    && rt
                        .bytes()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
                if !ok {
                    ctx.error(
                        "relationship-type",
                        &path.key("relationship_type"),
                        format!("'{rt}' must use only a-z, 0-9 and '-' (for example 'related-to')"),
                    );
                }
            }
        }
        "artifact" => {
            match (has("payload_bin"), has("url")) {
                (true, true) => ctx.error(
                    "artifact",
                    &path.key("url"),
                    "an artifact has either 'payload_bin' or 'url', not both",
                ),
                (false, false) => {
                    ctx.error("artifact", path, "an artifact needs 'payload_bin' or 'url'")
                }
                (false, true) if !has("hashes") => ctx.error(
                    "artifact",
                    &path.key("hashes"),
                    "an artifact given by 'url' must have 'hashes' of the content",
                ),
                _ => {}
            }
            if has("decryption_key") && !has("encryption_algorithm") {
                ctx.error(
                    "artifact",
                    &path.key("decryption_key"),
                    "'decryption_key' needs 'encryption_algorithm'",
                );
            }
        }
        "location" => {
            if has("latitude") != has("longitude") {
                ctx.error(
                    "location",
                    path,
                    "'latitude' and 'longitude' must be given together",
                );
            }
            if has("precision") && !has("latitude") {
                ctx.error(
                    "location",
                    &path.key("precision"),
                    "'precision' needs 'latitude' and 'longitude'",
                );
            }
            if !["region", "country", "latitude"].iter().any(|k| has(k)) {
                ctx.error("location", path, "a location needs at least one of 'region', 'country', or 'latitude' and 'longitude'");
            }
        }
        "malware-analysis" if !has("result") && !has("analysis_sco_refs") => {
            ctx.error(
                "malware-analysis",
                path,
                "a malware-analysis needs 'result' or 'analysis_sco_refs'",
            );
        }
        "network-traffic" => {
            timestamps_order(ctx, map, path, "start", "end", Order::NotBefore);
            if !has("src_ref") && !has("dst_ref") {
                ctx.error(
                    "network-traffic",
                    path,
                    "network-traffic needs 'src_ref' or 'dst_ref'",
                );
            }
            if map.get("is_active") == Some(&Value::Bool(true)) && has("end") {
                ctx.error(
                    "network-traffic",
                    &path.key("end"),
                    "an active connection (is_active: true) has no 'end'",
                );
            }
        }
        "email-message" => match map.get("is_multipart") {
            Some(Value::Bool(true)) if has("body") => ctx.error(
                "email-message",
                &path.key("body"),
                "a multipart message carries its parts in 'body_multipart', not 'body'",
            ),
            Some(Value::Bool(false)) if has("body_multipart") => ctx.error(
                "email-message",
                &path.key("body_multipart"),
                "'body_multipart' needs 'is_multipart': true",
            ),
            _ => {}
        },
        "file" if !has("hashes") && !has("name") => {
            ctx.error("file", path, "a file needs 'hashes' or 'name'");
        }
        "marking-definition" => {
            marking_definition(ctx, map, path);
            circular_markings(ctx, map, path);
        }
        "language-content" => language_content(ctx, map, path),
        _ => {}
    }
    granular_selectors(ctx, map, path);
}

/// A marking definition cannot mark itself (spec 7.2.1).
fn circular_markings(ctx: &mut Ctx<'_>, map: &Map<String, Value>, path: &JsonPath<'_>) {
    let Some(id) = map.get("id") else { return };
    if let Some(refs) = map.get("object_marking_refs").and_then(Value::as_array) {
        for (i, r) in refs.iter().enumerate() {
            if r == id {
                ctx.error(
                    "circular-marking",
                    &path.key("object_marking_refs").index(i),
                    "a marking definition cannot mark itself",
                );
            }
        }
    }
    if let Some(gms) = map.get("granular_markings").and_then(Value::as_array) {
        for (i, g) in gms.iter().enumerate() {
            if g.get("marking_ref") == Some(id) {
                ctx.error(
                    "circular-marking",
                    &path.key("granular_markings").index(i),
                    "a marking definition cannot mark itself",
                );
            }
        }
    }
}

/// `contents` maps language tags to property translations (spec 7.1).
fn language_content(ctx: &mut Ctx<'_>, map: &Map<String, Value>, path: &JsonPath<'_>) {
    if let Some(target) = map.get("object_ref").and_then(Value::as_str)
        && (target.starts_with("bundle--") || target.starts_with("language-content--"))
    {
        ctx.error(
            "reference-type",
            &path.key("object_ref"),
            "'object_ref' cannot point at a bundle or another language-content",
        );
    }
    let Some(contents) = map.get("contents").and_then(Value::as_object) else {
        return;
    };
    for (lang, translations) in contents {
        let contents_path = path.key("contents");
        let lp = contents_path.key(lang);
        if !kyoyu_stix::lang::is_language_tag(lang) {
            ctx.error(
                "language-tag",
                &lp,
                format!("'{lang}' is not an RFC 5646 language tag"),
            );
        }
        match translations.as_object() {
            Some(t) => {
                for key in t.keys() {
                    if !property_name_ok(key) {
                        ctx.error(
                            "property-name",
                            &lp.key(key),
                            format!("'{key}' is not a valid property name"),
                        );
                    }
                }
            }
            None => ctx.error(
                "wrong-type",
                &lp,
                "each language in 'contents' maps to an object of translated properties",
            ),
        }
    }
}

fn indicator_pattern(ctx: &mut Ctx<'_>, map: &Map<String, Value>, path: &JsonPath<'_>) {
    if map.get("pattern_type").and_then(Value::as_str) != Some("stix") {
        return;
    }
    let Some(pattern) = map.get("pattern").and_then(Value::as_str) else {
        return;
    };
    match kyoyu_pattern::parse(pattern) {
        Err(e) => ctx.error(
            "pattern",
            &path.key("pattern"),
            format!("the STIX pattern is invalid {}", e.describe(pattern)),
        ),
        Ok(parsed) => {
            for (ty, prop) in kyoyu_pattern::object_paths(&parsed) {
                let p = path.key("pattern");
                match schema::type_spec(&ty) {
                    Some(spec) if spec.category == Category::Sco => {
                        let known = schema::SCO_COMMON
                            .iter()
                            .chain(spec.props)
                            .any(|x| x.name == prop);
                        if !known && !property_name_ok(&prop) {
                            ctx.error(
                                "pattern",
                                &p,
                                format!("'{prop}' is not a valid property name for {ty}"),
                            );
                        }
                    }
                    _ if !type_name_ok(&ty) => ctx.error(
                        "pattern",
                        &p,
                        format!("'{ty}' is not a valid object type name"),
                    ),
                    _ if !property_name_ok(&prop) => ctx.error(
                        "pattern",
                        &p,
                        format!("'{prop}' is not a valid property name"),
                    ),
                    _ => {}
                }
            }
        }
    }
}

fn marking_definition(ctx: &mut Ctx<'_>, map: &Map<String, Value>, path: &JsonPath<'_>) {
    let id = map.get("id").and_then(Value::as_str).unwrap_or_default();
    if let Some(fixed) = kyoyu_stix::tlp::fixed_tlp_object(id) {
        for (k, want) in fixed.as_object().into_iter().flatten() {
            if map.get(k) != Some(want) {
                ctx.error(
                    "tlp-marking",
                    &path.key(k),
                    format!("'{id}' is a fixed TLP marking: '{k}' must be exactly {want}"),
                );
            }
        }
        return;
    }
    let dtype = map.get("definition_type").and_then(Value::as_str);
    match (dtype, map.get("definition")) {
        (None, None) => {
            if !map.contains_key("extensions") {
                ctx.error("marking-definition", path, "a marking definition needs 'definition_type' and 'definition', or an extension");
            }
        }
        (Some(_), None) => ctx.error(
            "required-property",
            &path.key("definition"),
            "'definition' is required with 'definition_type'",
        ),
        (None, Some(_)) => ctx.error(
            "required-property",
            &path.key("definition_type"),
            "'definition_type' is required with 'definition'",
        ),
        (Some("statement"), Some(d)) => {
            if !d.get("statement").is_some_and(Value::is_string) {
                ctx.error(
                    "marking-definition",
                    &path.key("definition"),
                    "a statement marking needs a string 'statement'",
                );
            }
        }
        (Some("tlp"), Some(d)) => {
            let ok = d
                .get("tlp")
                .and_then(Value::as_str)
                .is_some_and(|t| ["white", "green", "amber", "red"].contains(&t));
            if !ok {
                ctx.error(
                    "marking-definition",
                    &path.key("definition"),
                    "a TLP marking's 'tlp' must be white, green, amber or red",
                );
            } else {
                ctx.error(
                    "tlp-marking",
                    &path.key("id"),
                    "TLP markings must use the fixed marking-definition ids of the spec (section 7.2.1.4)",
                );
            }
        }
        (Some(_), Some(_)) => {}
    }
}

/// Every granular-marking selector must resolve to a property of the object (spec 7.2.3.1).
fn granular_selectors(ctx: &mut Ctx<'_>, map: &Map<String, Value>, path: &JsonPath<'_>) {
    let Some(list) = map.get("granular_markings").and_then(Value::as_array) else {
        return;
    };
    for (i, g) in list.iter().enumerate() {
        let Some(selectors) = g.get("selectors").and_then(Value::as_array) else {
            continue;
        };
        for (j, sel) in selectors.iter().enumerate() {
            let Some(sel) = sel.as_str() else { continue };
            if !selector_resolves(map, sel) {
                ctx.error(
                    "marking-selector",
                    &path.key("granular_markings").index(i).key("selectors").index(j),
                    format!("selector '{sel}' does not point at a property of this object (form: name, name.[0], name.[0].key)"),
                );
            }
        }
    }
}

/// Whether a selector (`name`, `list.[0]`, `list.[0].key`) names a value in the object.
pub(crate) fn selector_resolves(root: &Map<String, Value>, selector: &str) -> bool {
    let (first, rest) = selector.split_once('.').unwrap_or((selector, ""));
    let Some(mut cur) = root.get(first) else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    for part in rest.split('.') {
        cur = match (
            cur,
            part.strip_prefix('[').and_then(|p| p.strip_suffix(']')),
        ) {
            (Value::Array(a), Some(idx)) => match idx.parse::<usize>() {
                Ok(n) if idx.bytes().all(|c| c.is_ascii_digit()) => match a.get(n) {
                    Some(x) => x,
                    None => return false,
                },
                _ => return false,
            },
            (Value::Object(m), None) => match m.get(part) {
                Some(x) => x,
                None => return false,
            },
            _ => return false,
        };
    }
    true
}
