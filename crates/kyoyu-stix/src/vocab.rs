//! STIX 2.1 vocabularies (spec chapter 10): open vocabularies, whose other
//! values are allowed but SHOULD be avoided, and enumerations, whose other
//! values are errors. (The open lists include the values the OASIS validator
//! knows, a few of which came with errata.)

/// A named list of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vocabulary {
    /// Name, as used in the type tables (`indicator-type`).
    pub name: &'static str,
    /// Whether other values are allowed (open vocabulary) or errors (enumeration).
    pub open: bool,
    /// The values.
    pub values: &'static [&'static str],
}

impl Vocabulary {
    /// Whether `value` is one of the listed values.
    pub fn contains(&self, value: &str) -> bool {
        self.values.contains(&value)
    }
}

/// Looks a vocabulary up by name.
pub fn vocabulary(name: &str) -> Option<&'static Vocabulary> {
    VOCABULARIES.iter().find(|v| v.name == name)
}

/// Every vocabulary and enumeration.
pub const VOCABULARIES: &[Vocabulary] = &[
    Vocabulary { name: "account-type", open: true, values: &[
        "unix", "windows-local", "windows-domain", "ldap", "tacacs", "radius", "nis", "openid",
        "facebook", "skype", "twitter", "kavi",
    ] },
    Vocabulary { name: "attack-motivation", open: true, values: &[
        "accidental", "coercion", "dominance", "ideology", "notoriety", "organizational-gain",
        "personal-gain", "personal-satisfaction", "revenge", "unpredictable",
    ] },
    Vocabulary { name: "attack-resource-level", open: true, values: &[
        "individual", "club", "contest", "team", "organization", "government",
    ] },
    Vocabulary { name: "grouping-context", open: true, values: &[
        "suspicious-activity", "malware-analysis", "unspecified",
    ] },
    Vocabulary { name: "hash-algorithm", open: true, values: &[
        "MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH",
    ] },
    Vocabulary { name: "identity-class", open: true, values: &[
        "individual", "group", "system", "organization", "class", "unknown",
    ] },
    Vocabulary { name: "implementation-language", open: true, values: &[
        "applescript", "bash", "c", "c++", "c#", "go", "java", "javascript", "lua", "objective-c",
        "perl", "php", "powershell", "python", "ruby", "scala", "swift", "typescript",
        "visual-basic", "x86-32", "x86-64",
    ] },
    Vocabulary { name: "indicator-type", open: true, values: &[
        "anomalous-activity", "anonymization", "benign", "compromised", "malicious-activity",
        "attribution", "unknown",
    ] },
    Vocabulary { name: "industry-sector", open: true, values: &[
        "agriculture", "aerospace", "automotive", "chemical", "commercial", "communications",
        "construction", "defense", "education", "energy", "entertainment", "financial-services",
        "government", "emergency-services", "government-local", "government-national",
        "government-public-services", "government-regional", "healthcare", "hospitality-leisure",
        "infrastructure", "dams", "nuclear", "water", "insurance", "manufacturing", "mining",
        "non-profit", "pharmaceuticals", "retail", "technology", "telecommunications",
        "transportation", "utilities",
    ] },
    Vocabulary { name: "infrastructure-type", open: true, values: &[
        "amplification", "anonymization", "botnet", "command-and-control", "control-system",
        "exfiltration", "firewall", "hosting-malware", "hosting-target-lists", "phishing",
        "reconnaissance", "routers-switches", "staging", "workstation", "unknown",
    ] },
    Vocabulary { name: "malware-capabilities", open: true, values: &[
        "accesses-remote-machines", "anti-debugging", "anti-disassembly", "anti-emulation",
        "anti-memory-forensics", "anti-sandbox", "anti-vm", "captures-input-peripherals",
        "captures-output-peripherals", "captures-system-state-data", "cleans-traces-of-infection",
        "commits-fraud", "communicates-with-c2", "compromises-data-availability",
        "compromises-data-integrity", "compromises-system-availability", "controls-local-machine",
        "degrades-security-software", "degrades-system-updates", "determines-c2-server",
        "emails-spam", "escalates-privileges", "evades-av", "exfiltrates-data", "fingerprints-host",
        "hides-artifacts", "hides-executing-code", "infects-files", "infects-remote-machines",
        "installs-other-components", "persists-after-system-reboot", "prevents-artifact-access",
        "prevents-artifact-deletion", "probes-network-environment", "self-modifies",
        "steals-authentication-credentials", "violates-system-operational-integrity",
    ] },
    Vocabulary { name: "malware-result", open: true, values: &[
        "malicious", "suspicious", "benign", "unknown",
    ] },
    Vocabulary { name: "malware-type", open: true, values: &[
        "adware", "backdoor", "bot", "bootkit", "ddos", "downloader", "dropper", "exploit-kit",
        "keylogger", "ransomware", "remote-access-trojan", "resource-exploitation",
        "rogue-security-software", "rootkit", "screen-capture", "spyware", "trojan", "unknown",
        "virus", "webshell", "wiper", "worm",
    ] },
    Vocabulary { name: "pattern-type", open: true, values: &[
        "stix", "pcre", "sigma", "snort", "suricata", "yara",
    ] },
    Vocabulary { name: "processor-architecture", open: true, values: &[
        "alpha", "arm", "ia-64", "mips", "powerpc", "sparc", "x86", "x86-64",
    ] },
    Vocabulary { name: "region", open: true, values: &[
        "africa", "eastern-africa", "middle-africa", "northern-africa", "southern-africa",
        "western-africa", "americas", "latin-america-caribbean", "south-america", "caribbean",
        "central-america", "northern-america", "asia", "central-asia", "eastern-asia",
        "southern-asia", "south-eastern-asia", "western-asia", "europe", "eastern-europe",
        "northern-europe", "southern-europe", "western-europe", "oceania", "australia-new-zealand",
        "melanesia", "micronesia", "polynesia", "antarctica",
    ] },
    Vocabulary { name: "report-type", open: true, values: &[
        "threat-report", "attack-pattern", "campaign", "identity", "indicator", "intrusion-set",
        "malware", "observed-data", "threat-actor", "tool", "vulnerability",
    ] },
    Vocabulary { name: "threat-actor-role", open: true, values: &[
        "agent", "director", "independent", "infrastructure-architect", "infrastructure-operator",
        "malware-author", "sponsor",
    ] },
    Vocabulary { name: "threat-actor-sophistication", open: true, values: &[
        "none", "minimal", "intermediate", "advanced", "expert", "innovator", "strategic",
    ] },
    Vocabulary { name: "threat-actor-type", open: true, values: &[
        "activist", "competitor", "crime-syndicate", "criminal", "hacker", "insider-accidental",
        "insider-disgruntled", "nation-state", "sensationalist", "spy", "terrorist", "unknown",
    ] },
    Vocabulary { name: "tool-type", open: true, values: &[
        "denial-of-service", "exploitation", "information-gathering", "network-capture",
        "credential-exploitation", "remote-access", "vulnerability-scanning", "unknown",
    ] },
    Vocabulary { name: "windows-pebinary-type", open: true, values: &[
        "exe", "dll", "sys",
    ] },
    Vocabulary { name: "encryption-algorithm", open: false, values: &[
        "AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated",
    ] },
    Vocabulary { name: "extension-type", open: false, values: &[
        "new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension",
    ] },
    Vocabulary { name: "network-socket-address-family", open: false, values: &[
        "AF_UNSPEC", "AF_INET", "AF_IPX", "AF_APPLETALK", "AF_NETBIOS", "AF_INET6", "AF_IRDA",
        "AF_BTH",
    ] },
    Vocabulary { name: "network-socket-type", open: false, values: &[
        "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET",
    ] },
    Vocabulary { name: "opinion", open: false, values: &[
        "strongly-disagree", "disagree", "neutral", "agree", "strongly-agree",
    ] },
    Vocabulary { name: "windows-integrity-level", open: false, values: &[
        "low", "medium", "high", "system",
    ] },
    Vocabulary { name: "windows-registry-datatype", open: false, values: &[
        "REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD", "REG_DWORD_BIG_ENDIAN",
        "REG_DWORD_LITTLE_ENDIAN", "REG_LINK", "REG_MULTI_SZ", "REG_RESOURCE_LIST",
        "REG_FULL_RESOURCE_DESCRIPTION", "REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD",
        "REG_INVALID_TYPE",
    ] },
    Vocabulary { name: "windows-service-start-type", open: false, values: &[
        "SERVICE_AUTO_START", "SERVICE_BOOT_START", "SERVICE_DEMAND_START", "SERVICE_DISABLED",
        "SERVICE_SYSTEM_ALERT",
    ] },
    Vocabulary { name: "windows-service-status", open: false, values: &[
        "SERVICE_CONTINUE_PENDING", "SERVICE_PAUSE_PENDING", "SERVICE_PAUSED", "SERVICE_RUNNING",
        "SERVICE_START_PENDING", "SERVICE_STOP_PENDING", "SERVICE_STOPPED",
    ] },
    Vocabulary { name: "windows-service-type", open: false, values: &[
        "SERVICE_KERNEL_DRIVER", "SERVICE_FILE_SYSTEM_DRIVER", "SERVICE_WIN32_OWN_PROCESS",
        "SERVICE_WIN32_SHARE_PROCESS",
    ] },
];
