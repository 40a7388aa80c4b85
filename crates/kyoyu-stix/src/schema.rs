//! The STIX 2.1 type system as data: every object type, its category and
//! the properties it defines (spec chapters 4–8), plus the nested types
//! (kill-chain phases, external references, extensions…).
//!
//! The object model is table-driven: objects stay JSON maps (lossless), and
//! these tables say what each property must hold. The validator walks them.

/// Where a type sits in the STIX taxonomy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// STIX Domain Object.
    Sdo,
    /// STIX Relationship Object.
    Sro,
    /// STIX Cyber-observable Object.
    Sco,
    /// Marking definition, language content, extension definition.
    Meta,
    /// A bundle.
    Bundle,
    /// Not a type the spec defines.
    Custom,
}

/// Which object types a reference may point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Exactly these types.
    Types(&'static [&'static str]),
    /// Any SDO (custom types allowed, since they may be custom SDOs).
    Sdo,
    /// Any SCO.
    Sco,
    /// An SDO or SCO (relationship ends).
    SdoOrSco,
    /// An SCO or SRO (observed-data `object_refs`).
    ScoOrSro,
    /// Any STIX object.
    Any,
}

/// What a property holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A string.
    Str,
    /// A boolean.
    Bool,
    /// An integer, optionally bounded (inclusive).
    Int(Option<i64>, Option<i64>),
    /// A number, optionally bounded (inclusive).
    Float(Option<f64>, Option<f64>),
    /// A timestamp.
    Timestamp,
    /// An identifier of the given target.
    Ref(Target),
    /// A non-empty list of identifiers.
    Refs(Target),
    /// A non-empty list of strings.
    Strs,
    /// A value of an open vocabulary (any string; others are SHOULD warnings).
    Open(&'static str),
    /// A non-empty list of open-vocabulary values.
    OpenList(&'static str),
    /// A value of an enumeration (others are errors).
    Enum(&'static str),
    /// A non-empty list of enumeration values.
    EnumList(&'static str),
    /// A hashes dictionary.
    Hashes,
    /// A dictionary.
    Dict,
    /// Base64.
    Binary,
    /// Hexadecimal.
    Hex,
    /// A nested object of the named structure.
    Struct(&'static str),
    /// A non-empty list of the named structure.
    StructList(&'static str),
    /// A list of kill-chain phases.
    KillChain,
    /// A list of external references.
    ExternalRefs,
    /// A list of granular markings.
    GranularMarkings,
    /// The `extensions` dictionary.
    Extensions,
    /// Anything (checked by dedicated rules).
    Any,
}

/// One property of a type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prop {
    /// Property name.
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Whether the spec requires it.
    pub required: bool,
}

/// One type: its name, category and own properties (common ones excluded).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TypeSpec {
    /// The `type` value (or the name of a nested structure).
    pub name: &'static str,
    /// Category.
    pub category: Category,
    /// Own properties.
    pub props: &'static [Prop],
}

const fn o(name: &'static str, kind: Kind) -> Prop {
    Prop {
        name,
        kind,
        required: false,
    }
}

const fn r(name: &'static str, kind: Kind) -> Prop {
    Prop {
        name,
        kind,
        required: true,
    }
}

use Kind::*;

const S: Kind = Str;
const T: Kind = Timestamp;
const I: Kind = Int(None, None);
const U: Kind = Int(Some(0), None);
const PORT: Kind = Int(Some(0), Some(65535));

const fn refs(types: &'static [&'static str]) -> Kind {
    Refs(Target::Types(types))
}

const fn one(types: &'static [&'static str]) -> Kind {
    Ref(Target::Types(types))
}

/// Common properties of SDOs and SROs (spec 3.2).
pub const SDO_COMMON: &[Prop] = &[
    r("type", S),
    r("spec_version", S),
    r("id", Any),
    r("created", T),
    r("modified", T),
    o("created_by_ref", one(&["identity"])),
    o("revoked", Bool),
    o("labels", Strs),
    o("confidence", Int(Some(0), Some(100))),
    o("lang", S),
    o("external_references", ExternalRefs),
    o("object_marking_refs", refs(&["marking-definition"])),
    o("granular_markings", GranularMarkings),
    o("extensions", Extensions),
];

/// Common properties of SCOs (spec 3.2).
pub const SCO_COMMON: &[Prop] = &[
    r("type", S),
    o("spec_version", S),
    r("id", Any),
    o("object_marking_refs", refs(&["marking-definition"])),
    o("granular_markings", GranularMarkings),
    o("defanged", Bool),
    o("extensions", Extensions),
];

const KCP: Kind = KillChain;
const NAMES: Kind = Strs;

/// Every type the spec defines.
pub const TYPES: &[TypeSpec] = &[
    sdo(
        "attack-pattern",
        &[
            r("name", S),
            o("description", S),
            o("aliases", NAMES),
            o("kill_chain_phases", KCP),
        ],
    ),
    sdo(
        "campaign",
        &[
            r("name", S),
            o("description", S),
            o("aliases", NAMES),
            o("first_seen", T),
            o("last_seen", T),
            o("objective", S),
        ],
    ),
    sdo(
        "course-of-action",
        &[r("name", S), o("description", S), o("action", Any)],
    ),
    sdo(
        "grouping",
        &[
            o("name", S),
            o("description", S),
            r("context", Open("grouping-context")),
            r("object_refs", Refs(Target::Any)),
        ],
    ),
    sdo(
        "identity",
        &[
            r("name", S),
            o("description", S),
            o("roles", Strs),
            o("identity_class", Open("identity-class")),
            o("sectors", OpenList("industry-sector")),
            o("contact_information", S),
        ],
    ),
    sdo("incident", &[r("name", S), o("description", S)]),
    sdo(
        "indicator",
        &[
            o("name", S),
            o("description", S),
            o("indicator_types", OpenList("indicator-type")),
            r("pattern", S),
            r("pattern_type", Open("pattern-type")),
            o("pattern_version", S),
            r("valid_from", T),
            o("valid_until", T),
            o("kill_chain_phases", KCP),
        ],
    ),
    sdo(
        "infrastructure",
        &[
            r("name", S),
            o("description", S),
            o("infrastructure_types", OpenList("infrastructure-type")),
            o("aliases", NAMES),
            o("kill_chain_phases", KCP),
            o("first_seen", T),
            o("last_seen", T),
        ],
    ),
    sdo(
        "intrusion-set",
        &[
            r("name", S),
            o("description", S),
            o("aliases", NAMES),
            o("first_seen", T),
            o("last_seen", T),
            o("goals", Strs),
            o("resource_level", Open("attack-resource-level")),
            o("primary_motivation", Open("attack-motivation")),
            o("secondary_motivations", OpenList("attack-motivation")),
        ],
    ),
    sdo(
        "location",
        &[
            o("name", S),
            o("description", S),
            o("latitude", Float(Some(-90.0), Some(90.0))),
            o("longitude", Float(Some(-180.0), Some(180.0))),
            o("precision", Float(Some(0.0), None)),
            o("region", Open("region")),
            o("country", S),
            o("administrative_area", S),
            o("city", S),
            o("street_address", S),
            o("postal_code", S),
        ],
    ),
    sdo(
        "malware",
        &[
            o("name", S),
            o("description", S),
            o("malware_types", OpenList("malware-type")),
            r("is_family", Bool),
            o("aliases", NAMES),
            o("kill_chain_phases", KCP),
            o("first_seen", T),
            o("last_seen", T),
            o("operating_system_refs", refs(&["software"])),
            o(
                "architecture_execution_envs",
                OpenList("processor-architecture"),
            ),
            o(
                "implementation_languages",
                OpenList("implementation-language"),
            ),
            o("capabilities", OpenList("malware-capabilities")),
            o("sample_refs", refs(&["file", "artifact"])),
        ],
    ),
    sdo(
        "malware-analysis",
        &[
            r("product", S),
            o("version", S),
            o("host_vm_ref", one(&["software"])),
            o("operating_system_ref", one(&["software"])),
            o("installed_software_refs", refs(&["software"])),
            o("configuration_version", S),
            o("modules", Strs),
            o("analysis_engine_version", S),
            o("analysis_definition_version", S),
            o("submitted", T),
            o("analysis_started", T),
            o("analysis_ended", T),
            o("result_name", S),
            o("result", Open("malware-result")),
            o("analysis_sco_refs", Refs(Target::Sco)),
            o("sample_ref", one(&["file", "network-traffic", "artifact"])),
        ],
    ),
    sdo(
        "note",
        &[
            o("abstract", S),
            r("content", S),
            o("authors", Strs),
            r("object_refs", Refs(Target::Any)),
        ],
    ),
    sdo(
        "observed-data",
        &[
            r("first_observed", T),
            r("last_observed", T),
            r("number_observed", Int(Some(1), Some(999_999_999))),
            o("objects", Any),
            o("object_refs", Refs(Target::ScoOrSro)),
        ],
    ),
    sdo(
        "opinion",
        &[
            o("explanation", S),
            o("authors", Strs),
            r("opinion", Enum("opinion")),
            r("object_refs", Refs(Target::Any)),
        ],
    ),
    sdo(
        "report",
        &[
            r("name", S),
            o("description", S),
            o("report_types", OpenList("report-type")),
            r("published", T),
            r("object_refs", Refs(Target::Any)),
        ],
    ),
    sdo(
        "threat-actor",
        &[
            r("name", S),
            o("description", S),
            o("threat_actor_types", OpenList("threat-actor-type")),
            o("aliases", NAMES),
            o("first_seen", T),
            o("last_seen", T),
            o("roles", OpenList("threat-actor-role")),
            o("goals", Strs),
            o("sophistication", Open("threat-actor-sophistication")),
            o("resource_level", Open("attack-resource-level")),
            o("primary_motivation", Open("attack-motivation")),
            o("secondary_motivations", OpenList("attack-motivation")),
            o("personal_motivations", OpenList("attack-motivation")),
        ],
    ),
    sdo(
        "tool",
        &[
            r("name", S),
            o("description", S),
            o("tool_types", OpenList("tool-type")),
            o("aliases", NAMES),
            o("kill_chain_phases", KCP),
            o("tool_version", S),
        ],
    ),
    sdo("vulnerability", &[r("name", S), o("description", S)]),
    TypeSpec {
        name: "relationship",
        category: Category::Sro,
        props: &[
            r("relationship_type", S),
            o("description", S),
            r("source_ref", Ref(Target::SdoOrSco)),
            r("target_ref", Ref(Target::SdoOrSco)),
            o("start_time", T),
            o("stop_time", T),
        ],
    },
    TypeSpec {
        name: "sighting",
        category: Category::Sro,
        props: &[
            o("description", S),
            o("first_seen", T),
            o("last_seen", T),
            o("count", Int(Some(0), Some(999_999_999))),
            r("sighting_of_ref", Ref(Target::Sdo)),
            o("observed_data_refs", refs(&["observed-data"])),
            o("where_sighted_refs", refs(&["identity", "location"])),
            o("summary", Bool),
        ],
    },
    sco(
        "artifact",
        &[
            o("mime_type", S),
            o("payload_bin", Binary),
            o("url", S),
            o("hashes", Hashes),
            o("encryption_algorithm", Enum("encryption-algorithm")),
            o("decryption_key", S),
        ],
    ),
    sco(
        "autonomous-system",
        &[r("number", U), o("name", S), o("rir", S)],
    ),
    sco(
        "directory",
        &[
            r("path", S),
            o("path_enc", S),
            o("ctime", T),
            o("mtime", T),
            o("atime", T),
            o("contains_refs", refs(&["file", "directory"])),
        ],
    ),
    sco(
        "domain-name",
        &[
            r("value", S),
            o(
                "resolves_to_refs",
                refs(&["ipv4-addr", "ipv6-addr", "domain-name"]),
            ),
        ],
    ),
    sco(
        "email-addr",
        &[
            r("value", S),
            o("display_name", S),
            o("belongs_to_ref", one(&["user-account"])),
        ],
    ),
    sco(
        "email-message",
        &[
            r("is_multipart", Bool),
            o("date", T),
            o("content_type", S),
            o("from_ref", one(&["email-addr"])),
            o("sender_ref", one(&["email-addr"])),
            o("to_refs", refs(&["email-addr"])),
            o("cc_refs", refs(&["email-addr"])),
            o("bcc_refs", refs(&["email-addr"])),
            o("message_id", S),
            o("subject", S),
            o("received_lines", Strs),
            o("additional_header_fields", Dict),
            o("body", S),
            o("body_multipart", StructList("email-mime-part")),
            o("raw_email_ref", one(&["artifact"])),
        ],
    ),
    sco(
        "file",
        &[
            o("hashes", Hashes),
            o("size", U),
            o("name", S),
            o("name_enc", S),
            o("magic_number_hex", Hex),
            o("mime_type", S),
            o("ctime", T),
            o("mtime", T),
            o("atime", T),
            o("parent_directory_ref", one(&["directory"])),
            o("contains_refs", Refs(Target::Sco)),
            o("content_ref", one(&["artifact"])),
        ],
    ),
    sco(
        "ipv4-addr",
        &[
            r("value", S),
            o("resolves_to_refs", refs(&["mac-addr"])),
            o("belongs_to_refs", refs(&["autonomous-system"])),
        ],
    ),
    sco(
        "ipv6-addr",
        &[
            r("value", S),
            o("resolves_to_refs", refs(&["mac-addr"])),
            o("belongs_to_refs", refs(&["autonomous-system"])),
        ],
    ),
    sco("mac-addr", &[r("value", S)]),
    sco("mutex", &[r("name", S)]),
    sco(
        "network-traffic",
        &[
            o("start", T),
            o("end", T),
            o("is_active", Bool),
            o(
                "src_ref",
                one(&["ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"]),
            ),
            o(
                "dst_ref",
                one(&["ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"]),
            ),
            o("src_port", PORT),
            o("dst_port", PORT),
            r("protocols", Strs),
            o("src_byte_count", U),
            o("dst_byte_count", U),
            o("src_packets", U),
            o("dst_packets", U),
            o("ipfix", Dict),
            o("src_payload_ref", one(&["artifact"])),
            o("dst_payload_ref", one(&["artifact"])),
            o("encapsulates_refs", refs(&["network-traffic"])),
            o("encapsulated_by_ref", one(&["network-traffic"])),
        ],
    ),
    sco(
        "process",
        &[
            o("is_hidden", Bool),
            o("pid", I),
            o("created_time", T),
            o("cwd", S),
            o("command_line", S),
            o("environment_variables", Dict),
            o("opened_connection_refs", refs(&["network-traffic"])),
            o("creator_user_ref", one(&["user-account"])),
            o("image_ref", one(&["file"])),
            o("parent_ref", one(&["process"])),
            o("child_refs", refs(&["process"])),
        ],
    ),
    sco(
        "software",
        &[
            r("name", S),
            o("cpe", S),
            o("swid", S),
            o("languages", Strs),
            o("vendor", S),
            o("version", S),
        ],
    ),
    sco("url", &[r("value", S)]),
    sco(
        "user-account",
        &[
            o("user_id", S),
            o("credential", S),
            o("account_login", S),
            o("account_type", Open("account-type")),
            o("display_name", S),
            o("is_service_account", Bool),
            o("is_privileged", Bool),
            o("can_escalate_privs", Bool),
            o("is_disabled", Bool),
            o("account_created", T),
            o("account_expires", T),
            o("credential_last_changed", T),
            o("account_first_login", T),
            o("account_last_login", T),
        ],
    ),
    sco(
        "windows-registry-key",
        &[
            o("key", S),
            o("values", StructList("windows-registry-value")),
            o("modified_time", T),
            o("creator_user_ref", one(&["user-account"])),
            o("number_of_subkeys", U),
        ],
    ),
    sco(
        "x509-certificate",
        &[
            o("is_self_signed", Bool),
            o("hashes", Hashes),
            o("version", S),
            o("serial_number", S),
            o("signature_algorithm", S),
            o("issuer", S),
            o("validity_not_before", T),
            o("validity_not_after", T),
            o("subject", S),
            o("subject_public_key_algorithm", S),
            o("subject_public_key_modulus", S),
            o("subject_public_key_exponent", U),
            o("x509_v3_extensions", Struct("x509-v3-extensions")),
        ],
    ),
    TypeSpec {
        name: "language-content",
        category: Category::Meta,
        props: &[
            r("type", S),
            r("spec_version", S),
            r("id", Any),
            r("created", T),
            r("modified", T),
            o("created_by_ref", one(&["identity"])),
            o("revoked", Bool),
            o("labels", Strs),
            o("confidence", Int(Some(0), Some(100))),
            o("external_references", ExternalRefs),
            o("object_marking_refs", refs(&["marking-definition"])),
            o("granular_markings", GranularMarkings),
            o("extensions", Extensions),
            r("object_ref", Ref(Target::Any)),
            o("object_modified", T),
            r("contents", Dict),
        ],
    },
    TypeSpec {
        name: "marking-definition",
        category: Category::Meta,
        props: &[
            r("type", S),
            r("spec_version", S),
            r("id", Any),
            r("created", T),
            o("created_by_ref", one(&["identity"])),
            o("external_references", ExternalRefs),
            o("object_marking_refs", refs(&["marking-definition"])),
            o("granular_markings", GranularMarkings),
            o("extensions", Extensions),
            o("name", S),
            o("definition_type", S),
            o("definition", Any),
        ],
    },
    TypeSpec {
        name: "extension-definition",
        category: Category::Meta,
        props: &[
            r("type", S),
            r("spec_version", S),
            r("id", Any),
            r("created", T),
            r("modified", T),
            r("created_by_ref", one(&["identity"])),
            o("revoked", Bool),
            o("labels", Strs),
            o("external_references", ExternalRefs),
            o("object_marking_refs", refs(&["marking-definition"])),
            o("granular_markings", GranularMarkings),
            r("name", S),
            o("description", S),
            r("schema", S),
            r("version", S),
            r("extension_types", EnumList("extension-type")),
            o("extension_properties", Strs),
        ],
    },
    TypeSpec {
        name: "bundle",
        category: Category::Bundle,
        props: &[r("type", S), r("id", Any), o("objects", Any)],
    },
];

const fn sdo(name: &'static str, props: &'static [Prop]) -> TypeSpec {
    TypeSpec {
        name,
        category: Category::Sdo,
        props,
    }
}

const fn sco(name: &'static str, props: &'static [Prop]) -> TypeSpec {
    TypeSpec {
        name,
        category: Category::Sco,
        props,
    }
}

/// Nested structures and predefined extensions.
pub const STRUCTS: &[TypeSpec] = &[
    nested(
        "kill-chain-phase",
        &[r("kill_chain_name", S), r("phase_name", S)],
    ),
    nested(
        "external-reference",
        &[
            r("source_name", S),
            o("description", S),
            o("url", S),
            o("hashes", Hashes),
            o("external_id", S),
        ],
    ),
    nested(
        "granular-marking",
        &[
            o("lang", S),
            o("marking_ref", one(&["marking-definition"])),
            r("selectors", Strs),
        ],
    ),
    nested(
        "email-mime-part",
        &[
            o("body", S),
            o("body_raw_ref", one(&["artifact", "file"])),
            o("content_type", S),
            o("content_disposition", S),
        ],
    ),
    nested(
        "windows-registry-value",
        &[
            o("name", S),
            o("data", S),
            o("data_type", Enum("windows-registry-datatype")),
        ],
    ),
    nested(
        "x509-v3-extensions",
        &[
            o("basic_constraints", S),
            o("name_constraints", S),
            o("policy_constraints", S),
            o("key_usage", S),
            o("extended_key_usage", S),
            o("subject_key_identifier", S),
            o("authority_key_identifier", S),
            o("subject_alternative_name", S),
            o("issuer_alternative_name", S),
            o("subject_directory_attributes", S),
            o("crl_distribution_points", S),
            o("inhibit_any_policy", S),
            o("private_key_usage_period_not_before", T),
            o("private_key_usage_period_not_after", T),
            o("certificate_policies", S),
            o("policy_mappings", S),
        ],
    ),
    nested(
        "alternate-data-stream",
        &[r("name", S), o("hashes", Hashes), o("size", U)],
    ),
    nested(
        "windows-pe-optional-header",
        &[
            o("magic_hex", Hex),
            o("major_linker_version", I),
            o("minor_linker_version", I),
            o("size_of_code", U),
            o("size_of_initialized_data", U),
            o("size_of_uninitialized_data", U),
            o("address_of_entry_point", I),
            o("base_of_code", I),
            o("base_of_data", I),
            o("image_base", I),
            o("section_alignment", I),
            o("file_alignment", I),
            o("major_os_version", I),
            o("minor_os_version", I),
            o("major_image_version", I),
            o("minor_image_version", I),
            o("major_subsystem_version", I),
            o("minor_subsystem_version", I),
            o("win32_version_value_hex", Hex),
            o("size_of_image", U),
            o("size_of_headers", U),
            o("checksum_hex", Hex),
            o("subsystem_hex", Hex),
            o("dll_characteristics_hex", Hex),
            o("size_of_stack_reserve", U),
            o("size_of_stack_commit", U),
            o("size_of_heap_reserve", U),
            o("size_of_heap_commit", U),
            o("loader_flags_hex", Hex),
            o("number_of_rva_and_sizes", I),
            o("hashes", Hashes),
        ],
    ),
    nested(
        "windows-pe-section",
        &[
            r("name", S),
            o("size", U),
            o("entropy", Float(None, None)),
            o("hashes", Hashes),
        ],
    ),
    // Predefined SCO extensions (spec chapter 6).
    nested(
        "archive-ext",
        &[
            r("contains_refs", refs(&["file", "directory"])),
            o("comment", S),
        ],
    ),
    nested(
        "ntfs-ext",
        &[
            o("sid", S),
            o(
                "alternate_data_streams",
                StructList("alternate-data-stream"),
            ),
        ],
    ),
    nested(
        "pdf-ext",
        &[
            o("version", S),
            o("is_optimized", Bool),
            o("document_info_dict", Dict),
            o("pdfid0", S),
            o("pdfid1", S),
        ],
    ),
    nested(
        "raster-image-ext",
        &[
            o("image_height", I),
            o("image_width", I),
            o("bits_per_pixel", I),
            o("exif_tags", Dict),
        ],
    ),
    nested(
        "windows-pebinary-ext",
        &[
            r("pe_type", Open("windows-pebinary-type")),
            o("imphash", S),
            o("machine_hex", Hex),
            o("number_of_sections", U),
            o("time_date_stamp", T),
            o("pointer_to_symbol_table_hex", Hex),
            o("number_of_symbols", U),
            o("size_of_optional_header", U),
            o("characteristics_hex", Hex),
            o("file_header_hashes", Hashes),
            o("optional_header", Struct("windows-pe-optional-header")),
            o("sections", StructList("windows-pe-section")),
        ],
    ),
    nested(
        "http-request-ext",
        &[
            r("request_method", S),
            r("request_value", S),
            o("request_version", S),
            o("request_header", Dict),
            o("message_body_length", U),
            o("message_body_data_ref", one(&["artifact"])),
        ],
    ),
    nested(
        "icmp-ext",
        &[r("icmp_type_hex", Hex), r("icmp_code_hex", Hex)],
    ),
    nested(
        "socket-ext",
        &[
            r("address_family", Enum("network-socket-address-family")),
            o("is_blocking", Bool),
            o("is_listening", Bool),
            o("options", Dict),
            o("socket_type", Enum("network-socket-type")),
            o("socket_descriptor", U),
            o("socket_handle", I),
        ],
    ),
    nested(
        "tcp-ext",
        &[o("src_flags_hex", Hex), o("dst_flags_hex", Hex)],
    ),
    nested(
        "windows-process-ext",
        &[
            o("aslr_enabled", Bool),
            o("dep_enabled", Bool),
            o("priority", S),
            o("owner_sid", S),
            o("window_title", S),
            o("startup_info", Dict),
            o("integrity_level", Enum("windows-integrity-level")),
        ],
    ),
    nested(
        "windows-service-ext",
        &[
            o("service_name", S),
            o("descriptions", Strs),
            o("display_name", S),
            o("group_name", S),
            o("start_type", Enum("windows-service-start-type")),
            o("service_dll_refs", refs(&["file"])),
            o("service_type", Enum("windows-service-type")),
            o("service_status", Enum("windows-service-status")),
        ],
    ),
    nested(
        "unix-account-ext",
        &[
            o("gid", I),
            o("groups", Strs),
            o("home_dir", S),
            o("shell", S),
        ],
    ),
];

const fn nested(name: &'static str, props: &'static [Prop]) -> TypeSpec {
    TypeSpec {
        name,
        category: Category::Meta,
        props,
    }
}

/// Which predefined extensions each SCO type may carry.
pub fn predefined_extensions(sco_type: &str) -> &'static [&'static str] {
    match sco_type {
        "file" => &[
            "archive-ext",
            "ntfs-ext",
            "pdf-ext",
            "raster-image-ext",
            "windows-pebinary-ext",
        ],
        "network-traffic" => &["http-request-ext", "icmp-ext", "socket-ext", "tcp-ext"],
        "process" => &["windows-process-ext", "windows-service-ext"],
        "user-account" => &["unix-account-ext"],
        _ => &[],
    }
}

/// The spec's definition of a top-level type.
pub fn type_spec(name: &str) -> Option<&'static TypeSpec> {
    TYPES.iter().find(|t| t.name == name)
}

/// The definition of a nested structure or predefined extension.
pub fn struct_spec(name: &str) -> Option<&'static TypeSpec> {
    STRUCTS.iter().find(|t| t.name == name)
}

/// The category of a `type` value.
pub fn category(name: &str) -> Category {
    type_spec(name).map_or(Category::Custom, |t| t.category)
}

/// The common properties that apply to a type.
pub fn common_props(spec: &TypeSpec) -> &'static [Prop] {
    match spec.category {
        Category::Sdo | Category::Sro => SDO_COMMON,
        Category::Sco => SCO_COMMON,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_is_present_once() {
        let count = |c| TYPES.iter().filter(|t| t.category == c).count();
        assert_eq!(count(Category::Sdo), 19);
        assert_eq!(count(Category::Sro), 2);
        assert_eq!(count(Category::Sco), 18);
        assert_eq!(count(Category::Meta), 3);
        let mut names: Vec<_> = TYPES
            .iter()
            .map(|t| t.name)
            .chain(STRUCTS.iter().map(|t| t.name))
            .collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn nested_names_resolve() {
        for spec in TYPES.iter().chain(STRUCTS) {
            for p in spec.props {
                if let Kind::Struct(n) | Kind::StructList(n) = p.kind {
                    assert!(
                        struct_spec(n).is_some(),
                        "{}.{} names unknown {n}",
                        spec.name,
                        p.name
                    );
                }
            }
        }
    }
}
