//! The fixed TLP marking definitions of STIX 2.1 (TLP 1.0, section 7.2.1.4)
//! and of the TLP 2.0 extension.

use serde_json::{Value, json};

/// A Traffic Light Protocol level (TLP 2.0 names; TLP 1.0 WHITE is CLEAR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tlp {
    /// TLP:CLEAR (TLP 1.0 WHITE).
    Clear,
    /// TLP:GREEN.
    Green,
    /// TLP:AMBER.
    Amber,
    /// TLP:AMBER+STRICT (TLP 2.0 only).
    AmberStrict,
    /// TLP:RED.
    Red,
}

/// The extension that TLP 2.0 marking definitions carry.
pub const TLP2_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";
const TLP2_CREATOR: &str = "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01";

/// Marking-definition id, TLP version, level.
const FIXED: [(&str, u8, Tlp); 9] = [
    (
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        1,
        Tlp::Clear,
    ),
    (
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        1,
        Tlp::Green,
    ),
    (
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        1,
        Tlp::Amber,
    ),
    (
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
        1,
        Tlp::Red,
    ),
    (
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        2,
        Tlp::Clear,
    ),
    (
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        2,
        Tlp::Green,
    ),
    (
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        2,
        Tlp::Amber,
    ),
    (
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        2,
        Tlp::AmberStrict,
    ),
    (
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        2,
        Tlp::Red,
    ),
];

impl Tlp {
    /// The TLP level a fixed marking-definition id stands for (1.0 maps to
    /// 2.0). The UUID's case does not matter: an upper-case TLP:RED id is
    /// TLP:RED, never an unknown marking.
    pub fn from_marking_id(id: &str) -> Option<Self> {
        FIXED
            .iter()
            .find(|(fixed, ..)| fixed.eq_ignore_ascii_case(id))
            .map(|&(_, _, tlp)| tlp)
    }

    /// The TLP 2.0 marking-definition id.
    pub fn marking_id(self) -> &'static str {
        FIXED
            .iter()
            .find(|&&(_, v, t)| v == 2 && t == self)
            .map_or("", |(id, ..)| id)
    }

    /// Lower-case name as in `tlp_2_0`: `clear`, `green`, `amber`, `amber+strict`, `red`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Clear => "clear",
            Self::Green => "green",
            Self::Amber => "amber",
            Self::AmberStrict => "amber+strict",
            Self::Red => "red",
        }
    }

    /// Parses a TLP name (either version, any case, with or without `TLP:`).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        Some(match s.strip_prefix("tlp:").unwrap_or(&s) {
            "clear" | "white" => Self::Clear,
            "green" => Self::Green,
            "amber" => Self::Amber,
            "amber+strict" => Self::AmberStrict,
            "red" => Self::Red,
            _ => return None,
        })
    }
}

/// Whether `id` is one of the nine fixed TLP marking definitions.
pub fn is_fixed_tlp_id(id: &str) -> bool {
    Tlp::from_marking_id(id).is_some()
}

/// The exact marking-definition object the spec fixes for an id, if any.
pub fn fixed_tlp_object(id: &str) -> Option<Value> {
    let &(id, version, tlp) = FIXED.iter().find(|(fixed, ..)| *fixed == id)?;
    Some(if version == 1 {
        let name = if tlp == Tlp::Clear {
            "white"
        } else {
            tlp.name()
        };
        json!({
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": id,
            "created": "2017-01-20T00:00:00.000Z",
            "definition_type": "tlp",
            "name": format!("TLP:{}", name.to_ascii_uppercase()),
            "definition": {"tlp": name}
        })
    } else {
        json!({
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": id,
            "created": "2022-10-01T00:00:00.000Z",
            "created_by_ref": TLP2_CREATOR,
            "name": format!("TLP:{}", tlp.name().to_ascii_uppercase()),
            "extensions": {
                TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp.name()}
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_ids() {
        assert_eq!(
            Tlp::from_marking_id("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"),
            Some(Tlp::Clear)
        );
        assert_eq!(Tlp::parse("TLP:AMBER+STRICT"), Some(Tlp::AmberStrict));
        assert_eq!(Tlp::parse("white"), Some(Tlp::Clear));
        for tlp in [
            Tlp::Clear,
            Tlp::Green,
            Tlp::Amber,
            Tlp::AmberStrict,
            Tlp::Red,
        ] {
            assert_eq!(Tlp::from_marking_id(tlp.marking_id()), Some(tlp));
            let obj = fixed_tlp_object(tlp.marking_id()).unwrap();
            assert_eq!(
                obj["name"],
                format!("TLP:{}", tlp.name().to_ascii_uppercase())
            );
        }
        assert!(Tlp::Red > Tlp::AmberStrict && Tlp::AmberStrict > Tlp::Amber);
    }
}
