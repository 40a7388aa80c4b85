//! The SHOULD rules of STIX 2.1: warnings, errors in strict mode.
//!
//! The set follows what the OASIS validator checks by default, so that
//! `--strict` verdicts agree; each warning says what to change.

use crate::Ctx;
use crate::path::JsonPath;
use kyoyu_stix::relationships::{Suggestion, suggestion};
use kyoyu_stix::schema::Prop;
use kyoyu_stix::schema::{self, Category, Kind, TypeSpec};
use kyoyu_stix::vocab::vocabulary;
use serde_json::{Map, Value};

/// SHOULD rules for objects of a type the spec defines.
pub(crate) fn object(
    ctx: &mut Ctx<'_>,
    spec: &TypeSpec,
    map: &Map<String, Value>,
    path: &JsonPath<'_>,
) {
    uuid_version(ctx, map, path);
    for prop in spec.props {
        let Some(v) = map.get(prop.name) else {
            continue;
        };
        let p = path.key(prop.name);
        match prop.kind {
            Kind::Open(vocab) => open_values(ctx, vocab, prop.name, std::slice::from_ref(v), &p),
            Kind::OpenList(vocab) => open_values(
                ctx,
                vocab,
                prop.name,
                v.as_array().map(Vec::as_slice).unwrap_or_default(),
                &p,
            ),
            Kind::Hashes => hash_names(ctx, v, &p),
            _ => {}
        }
    }
    let phases = map.get("kill_chain_phases").and_then(Value::as_array);
    let with_phases = matches!(
        spec.name,
        "attack-pattern" | "indicator" | "infrastructure" | "malware" | "tool"
    );
    if let Some(phases) = phases.filter(|_| with_phases) {
        kill_chain_names(ctx, phases, &path.key("kill_chain_phases"));
    }
    if let Some(refs) = map.get("external_references").and_then(Value::as_array) {
        let url_without_hash = refs
            .iter()
            .position(|r| r.get("url").is_some() && r.get("hashes").is_none());
        if let Some(i) = url_without_hash {
            ctx.warn(
                "external-reference-hash",
                &path.key("external_references").index(i),
                "an external reference with a 'url' should give 'hashes' of the content, so readers can tell it changed",
            );
        }
    }
    let has = |k: &str| map.contains_key(k);
    match spec.name {
        "indicator" if !has("name") || !has("description") => {
            ctx.warn(
                "indicator-name-description",
                path,
                "an indicator should have both a 'name' and a 'description'",
            );
        }
        "malware-analysis" => {
            if let Some(product) = map.get("product").and_then(Value::as_str)
                && (!product
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
                    || product.is_empty())
            {
                ctx.warn(
                    "product-name",
                    &path.key("product"),
                    "'product' should be lower case with words separated by '-'",
                );
            }
        }
        "observed-data" if has("objects") => {
            ctx.warn(
                "deprecated-property",
                &path.key("objects"),
                "'objects' is deprecated in STIX 2.1: list the SCOs in 'object_refs'",
            );
        }
        "relationship" => relationship_type(ctx, map, path),
        "marking-definition" => {
            let dtype = map.get("definition_type").and_then(Value::as_str);
            if let Some(d) = dtype.filter(|d| *d != "statement" && *d != "tlp") {
                ctx.warn(
                    "marking-definition-type",
                    &path.key("definition_type"),
                    format!("'{d}' is not a definition_type of the spec (statement, tlp)"),
                );
                if !lower_hyphenated(d) {
                    open_format(ctx, "definition_type", d, &path.key("definition_type"));
                }
            }
            if !has("extensions") && !matches!(dtype, Some("statement" | "tlp")) {
                ctx.warn(
                    "custom-marking",
                    path,
                    "custom marking definitions should be defined with an extension ('extensions')",
                );
            }
        }
        "extension-definition" => {
            if !has("description") {
                ctx.warn(
                    "extension-description",
                    &path.key("description"),
                    "an extension definition should have a 'description'",
                );
            }
            let toplevel = map
                .get("extension_types")
                .and_then(Value::as_array)
                .is_some_and(|t| t.iter().any(|x| x == "toplevel-property-extension"));
            if toplevel && !has("extension_properties") {
                ctx.warn(
                    "extension-properties",
                    &path.key("extension_properties"),
                    "a toplevel-property-extension should list its property names in 'extension_properties'",
                );
            }
        }
        "network-traffic" if !has("src_port") || !has("dst_port") => {
            ctx.warn(
                "network-traffic-ports",
                path,
                "network traffic should give both 'src_port' and 'dst_port'",
            );
        }
        _ => {}
    }
    if spec.category == Category::Sco {
        sco_dictionary_keys(ctx, map, path);
        sco_extensions(ctx, spec.name, map, path);
        if spec.name == "process" {
            let priority = map
                .get("extensions")
                .and_then(|e| e.get("windows-process-ext"))
                .and_then(|e| e.get("priority"));
            if let Some(p) = priority.and_then(Value::as_str)
                && (!p.ends_with("_CLASS") || p.len() <= "_CLASS".len())
            {
                ctx.warn(
                    "process-priority",
                    &path.key("extensions"),
                    "a Windows process 'priority' should end in '_CLASS'",
                );
            }
        }
    }
}

/// SDOs, SROs and meta objects use UUIDv4; the spec's SCOs use the
/// deterministic UUIDv5, except process (spec 2.9).
fn uuid_version(ctx: &mut Ctx<'_>, map: &Map<String, Value>, path: &JsonPath<'_>) {
    let Some(id) = map.get("id").and_then(Value::as_str) else {
        return;
    };
    let Ok((ty, uuid)) = kyoyu_stix::id::split(id) else {
        return;
    };
    let version = uuid.get_version_num();
    let standard_sco = schema::category(ty) == Category::Sco && ty != "process";
    if standard_sco && version != 5 {
        ctx.warn(
            "uuid-version",
            &path.key("id"),
            format!("'{id}' should use the deterministic UUIDv5 of its ID-contributing properties"),
        );
    } else if !standard_sco && version != 4 {
        ctx.warn(
            "uuid-version",
            &path.key("id"),
            format!("'{id}' should use a random UUIDv4"),
        );
    }
}

fn lower_hyphenated(v: &str) -> bool {
    v.chars().any(char::is_lowercase)
        && !v.chars().any(char::is_uppercase)
        && !v.contains(['_', ' '])
}

fn open_format(ctx: &mut Ctx<'_>, name: &str, v: &str, p: &JsonPath<'_>) {
    ctx.warn(
        "vocabulary-format",
        p,
        format!(
            "'{name}' value '{v}' should be lower case, with '-' between words (no spaces or '_')"
        ),
    );
}

/// Open-vocabulary values: lower-case-hyphenated, and preferably from the vocabulary.
fn open_values(ctx: &mut Ctx<'_>, vocab: &str, name: &str, values: &[Value], p: &JsonPath<'_>) {
    let Some(voc) = vocabulary(vocab) else { return };
    let mut outside = false;
    for v in values {
        let Some(s) = v.as_str() else { continue };
        if !lower_hyphenated(s)
            && vocab != "hash-algorithm"
            && vocab != "windows-pebinary-type"
            && vocab != "account-type"
        {
            open_format(ctx, name, s, p);
        }
        outside |= !voc.contains(s);
    }
    if outside {
        ctx.warn(
            "vocabulary",
            p,
            format!(
                "'{name}' has a value outside the {vocab} vocabulary; prefer one of: {}",
                voc.values.join(", ")
            ),
        );
    }
}

fn kill_chain_names(ctx: &mut Ctx<'_>, phases: &[Value], p: &JsonPath<'_>) {
    for (i, phase) in phases.iter().enumerate() {
        let Some(chain) = phase.get("kill_chain_name").and_then(Value::as_str) else {
            return;
        };
        for (key, v) in [
            ("kill_chain_name", Some(chain)),
            (
                "phase_name",
                phase.get("phase_name").and_then(Value::as_str),
            ),
        ] {
            if let Some(v) = v.filter(|v| !lower_hyphenated(v)) {
                ctx.warn(
                    "kill-chain-name",
                    &p.index(i).key(key),
                    format!("{key} '{v}' should be lower case, with '-' between words"),
                );
            }
        }
    }
}

/// Hash names come from the hash-algorithm vocabulary, or are custom with `x_`.
fn hash_names(ctx: &mut Ctx<'_>, v: &Value, p: &JsonPath<'_>) {
    let Some(map) = v.as_object() else { return };
    let voc = vocabulary("hash-algorithm");
    for alg in map.keys() {
        if !voc.is_some_and(|v| v.contains(alg)) && !alg.starts_with("x_") {
            ctx.warn(
                "hash-algorithm",
                &p.key(alg),
                format!("'{alg}' is not in the hash-algorithm vocabulary (MD5, SHA-1, SHA-256, SHA-512, SHA3-256, SHA3-512, SSDEEP, TLSH); custom names start with 'x_'"),
            );
        }
    }
}

fn relationship_type(ctx: &mut Ctx<'_>, map: &Map<String, Value>, path: &JsonPath<'_>) {
    let get = |k: &str| map.get(k).and_then(Value::as_str);
    let (Some(rt), Some(src), Some(tgt)) = (
        get("relationship_type"),
        get("source_ref"),
        get("target_ref"),
    ) else {
        return;
    };
    let ty = |r: &'_ str| r.rsplit_once("--").map(|(t, _)| t.to_owned());
    let (Some(src), Some(tgt)) = (ty(src), ty(tgt)) else {
        return;
    };
    let meta = [
        "bundle",
        "language-content",
        "marking-definition",
        "sighting",
        "relationship",
        "extension-definition",
    ];
    if meta.contains(&src.as_str()) || meta.contains(&tgt.as_str()) {
        return;
    }
    let message = match suggestion(&src, rt, &tgt) {
        Suggestion::Defined => return,
        Suggestion::UnknownSource => format!("the spec defines no '{rt}' relationship from {src}"),
        Suggestion::UnknownType => {
            format!("'{rt}' is not a relationship type the spec defines for {src}")
        }
        Suggestion::UnknownTarget => {
            format!("the spec's '{rt}' relationship from {src} does not point at {tgt}")
        }
    };
    ctx.warn(
        "relationship-type",
        &path.key("relationship_type"),
        format!("{message}; prefer a defined one or related-to"),
    );
}

/// Dictionary keys inside SCOs should be lower case (spec 3.1), except
/// where the key is data (hashes, headers, environment variables…).
fn sco_dictionary_keys(ctx: &mut Ctx<'_>, map: &Map<String, Value>, path: &JsonPath<'_>) {
    const DATA_KEYS: &[&str] = &[
        "hashes",
        "file_header_hashes",
        "request_header",
        "additional_header_fields",
        "document_info_dict",
        "exif_tags",
        "ipfix",
        "options",
        "environment_variables",
        "key",
        "startup_info",
    ];
    fn walk(ctx: &mut Ctx<'_>, map: &Map<String, Value>, p: &JsonPath<'_>) {
        for (k, v) in map {
            if k.is_empty() || k.bytes().any(|c| c.is_ascii_uppercase()) {
                ctx.warn(
                    "dictionary-key",
                    &p.key(k),
                    format!("dictionary key '{k}' should be lower case"),
                );
            }
            if let Value::Object(inner) = v
                && !DATA_KEYS.contains(&k.as_str())
            {
                walk(ctx, inner, &p.key(k));
            }
        }
    }
    walk(ctx, map, path);
}

/// Extensions of the spec's SCOs: predefined ones use only their own
/// properties; others should be property extensions (extension-definition).
fn sco_extensions(ctx: &mut Ctx<'_>, ty: &str, map: &Map<String, Value>, path: &JsonPath<'_>) {
    let Some(exts) = map.get("extensions").and_then(Value::as_object) else {
        return;
    };
    let predefined = schema::predefined_extensions(ty);
    let property_ext = uses_extension(map, &["property-extension"]);
    for (key, ext) in exts {
        let exts_path = path.key("extensions");
        let ep = exts_path.key(key);
        if predefined.contains(&key.as_str()) {
            if let (Some(spec), Some(ext)) = (schema::struct_spec(key), ext.as_object()) {
                unknown_keys(ctx, spec.props, ext, &ep, &format!("the {key} extension"));
                if key == "windows-pebinary-ext" {
                    if let Some(sections) = ext.get("sections").and_then(Value::as_array) {
                        for (i, sec) in sections.iter().enumerate() {
                            if let Some(h) = sec.get("hashes") {
                                hash_names(ctx, h, &ep.key("sections").index(i).key("hashes"));
                            }
                        }
                    }
                    if let Some(h) = ext.get("file_header_hashes") {
                        hash_names(ctx, h, &ep.key("file_header_hashes"));
                    }
                    if let Some(h) = ext.get("optional_header").and_then(|o| o.get("hashes")) {
                        hash_names(ctx, h, &ep.key("optional_header").key("hashes"));
                    }
                }
                if key == "ntfs-ext" {
                    for (i, ads) in ext
                        .get("alternate_data_streams")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .enumerate()
                    {
                        if let Some(h) = ads.get("hashes") {
                            hash_names(
                                ctx,
                                h,
                                &ep.key("alternate_data_streams").index(i).key("hashes"),
                            );
                        }
                    }
                }
            }
        } else if matches!(ty, "file" | "network-traffic" | "process" | "user-account")
            && !property_ext
        {
            ctx.warn(
                "custom-extension",
                &ep,
                format!("'{key}' is not a predefined {ty} extension: define it with an extension-definition of type property-extension"),
            );
        }
    }
    // Nested structures of SCOs take only their defined keys.
    for (prop, structure) in [
        ("body_multipart", "email-mime-part"),
        ("values", "windows-registry-value"),
        ("x509_v3_extensions", "x509-v3-extensions"),
    ] {
        let Some(spec) = schema::struct_spec(structure) else {
            continue;
        };
        let p = path.key(prop);
        match map.get(prop) {
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(m) = item.as_object() {
                        unknown_keys(ctx, spec.props, m, &p.index(i), &format!("'{prop}'"));
                    }
                }
            }
            Some(Value::Object(m)) => unknown_keys(ctx, spec.props, m, &p, &format!("'{prop}'")),
            _ => {}
        }
    }
}

fn unknown_keys(
    ctx: &mut Ctx<'_>,
    props: &[Prop],
    map: &Map<String, Value>,
    p: &JsonPath<'_>,
    within: &str,
) {
    for k in map.keys() {
        if !props.iter().any(|x| x.name == k) {
            ctx.warn(
                "custom-property",
                &p.key(k),
                format!("'{k}' is not a property of {within}: custom properties should be defined by a property-extension"),
            );
        }
    }
}

/// Whether some extension of the object has one of these `extension_type`s.
fn uses_extension(map: &Map<String, Value>, kinds: &[&str]) -> bool {
    map.get("extensions")
        .and_then(Value::as_object)
        .is_some_and(|e| {
            e.values().any(|x| {
                x.get("extension_type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| kinds.contains(&t))
            })
        })
}

/// SHOULD rules for custom object types.
pub(crate) fn custom_object(
    ctx: &mut Ctx<'_>,
    ty: &str,
    map: &Map<String, Value>,
    path: &JsonPath<'_>,
) {
    uuid_version(ctx, map, path);
    if !uses_extension(map, &["new-sdo", "new-sco", "new-sro"]) && ty != "action" {
        ctx.warn(
            "custom-object",
            &path.key("type"),
            format!("'{ty}' is not a STIX 2.1 type: define it with an extension-definition of type new-sdo, new-sco or new-sro"),
        );
    }
}

/// SHOULD rules for a property the object's type does not define.
pub(crate) fn custom_property(
    ctx: &mut Ctx<'_>,
    name: &str,
    p: &JsonPath<'_>,
    map: &Map<String, Value>,
) {
    if !uses_extension(map, &["toplevel-property-extension"])
        && !crate::checks::RESERVED.contains(&name)
    {
        ctx.warn(
            "custom-property",
            p,
            format!("'{name}' is not a property of this type: custom properties should be defined by a property-extension or toplevel-property-extension"),
        );
    }
}

/// SHOULD rules of a bundle: its own properties and duplicate versions inside.
pub(crate) fn bundle(ctx: &mut Ctx<'_>, map: &Map<String, Value>, path: &JsonPath<'_>) {
    uuid_version(ctx, map, path);
    for k in map.keys() {
        if !["type", "id", "objects"].contains(&k.as_str()) {
            ctx.warn(
                "custom-property",
                &path.key(k),
                format!("'{k}' is not a property of a bundle (type, id, objects)"),
            );
        }
    }
    let Some(objects) = map.get("objects").and_then(Value::as_array) else {
        return;
    };
    let mut first_seen: std::collections::HashMap<&str, &Value> = std::collections::HashMap::new();
    for (i, o) in objects.iter().enumerate() {
        let (Some(id), Some(modified)) = (o.get("id").and_then(Value::as_str), o.get("modified"))
        else {
            continue;
        };
        match first_seen.get(id) {
            Some(m) if *m == modified => ctx.warn(
                "duplicate-version",
                &path.key("objects").index(i),
                format!("'{id}' appears twice with the same 'modified'; different versions need different 'modified' values"),
            ),
            Some(_) => {}
            None => {
                first_seen.insert(id, modified);
            }
        }
    }
}
