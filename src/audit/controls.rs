//! The controls each finding answers to, in one table: the CIS Amazon Web
//! Services Foundations Benchmark's numbers (v1.4.0 to v4.0.1, v5.0.0,
//! v6.0.0, v7.0.0) and the Security Hub CSPM control IDs that judge the
//! same thing. Each row names its sources; `tests/data/controls.json` holds
//! what another implementation (Prowler's compliance mappings) says, and a
//! test compares the two.

use serde::Serialize;

use super::FindingId;

/// A framework a finding is mapped into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Framework {
    /// CIS AWS Foundations v1.4.0 to v4.0.1 (the same numbers throughout).
    CisV4,
    CisV5,
    CisV6,
    CisV7,
    /// AWS Security Hub CSPM's controls (`IAM.3`, …).
    SecurityHub,
}

impl Framework {
    pub const ALL: [Framework; 5] = [
        Self::CisV4,
        Self::CisV5,
        Self::CisV6,
        Self::CisV7,
        Self::SecurityHub,
    ];

    /// The framework's name, as reports print it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::CisV4 => "CIS AWS Foundations v1.4.0-v4.0.1",
            Self::CisV5 => "CIS AWS Foundations v5.0.0",
            Self::CisV6 => "CIS AWS Foundations v6.0.0",
            Self::CisV7 => "CIS AWS Foundations v7.0.0",
            Self::SecurityHub => "AWS Security Hub CSPM",
        }
    }

    /// The prefix of its references (`cis-v7:2.11`); none for Security
    /// Hub, whose IDs (`IAM.3`) are references already.
    #[must_use]
    pub fn prefix(self) -> Option<&'static str> {
        match self {
            Self::CisV4 => Some("cis-v4"),
            Self::CisV5 => Some("cis-v5"),
            Self::CisV6 => Some("cis-v6"),
            Self::CisV7 => Some("cis-v7"),
            Self::SecurityHub => None,
        }
    }

    /// Its short version, for "not in v7.0".
    #[must_use]
    pub fn version(self) -> &'static str {
        match self {
            Self::CisV4 => "v1.4-v4.0",
            Self::CisV5 => "v5.0",
            Self::CisV6 => "v6.0",
            Self::CisV7 => "v7.0",
            Self::SecurityHub => "Security Hub",
        }
    }
}

/// A finding's place in one framework: the control's number, or none
/// (the framework has no such control, or dropped it). In JSON, its
/// reference (`cis-v7:2.11`, `IAM.3`), or `cis-v7:-` where that version has
/// no such item (`-` as in the `cis` object and the CSV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Control {
    pub framework: Framework,
    pub id: Option<&'static str>,
}

impl Serialize for Control {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.written())
    }
}

impl Control {
    /// `cis-v7:2.11`, `IAM.3`; `None` where the framework has no control.
    #[must_use]
    pub fn reference(&self) -> Option<String> {
        let id = self.id?;
        Some(match self.framework.prefix() {
            Some(prefix) => format!("{prefix}:{id}"),
            None => id.to_owned(),
        })
    }

    /// As reports write it: the reference, or `<prefix>:-` where the
    /// framework has no such control.
    #[must_use]
    pub fn written(&self) -> String {
        self.reference()
            .unwrap_or_else(|| format!("{}:-", self.framework.prefix().unwrap_or("security-hub")))
    }

    /// How a person reads it: `v7.0 2.11`, `not in v7.0`, `IAM.3`.
    #[must_use]
    pub fn label(&self) -> String {
        match (self.framework, self.id) {
            (Framework::SecurityHub, Some(id)) => id.to_owned(),
            (framework, Some(id)) => format!("{} {id}", framework.version()),
            (framework, None) => format!("not in {}", framework.version()),
        }
    }
}

/// The controls of one finding: a CIS number per version (`None`: not a
/// CIS item there) and the Security Hub controls, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Controls {
    pub cis: [Option<&'static str>; 4],
    pub security_hub: &'static [&'static str],
}

impl Controls {
    const NONE: Controls = Controls {
        cis: [None; 4],
        security_hub: &[],
    };

    /// Every control, one per CIS version (with "not in" where it has
    /// none, once any version has it) and each Security Hub control.
    #[must_use]
    pub fn list(&self) -> Vec<Control> {
        let cis = [
            Framework::CisV4,
            Framework::CisV5,
            Framework::CisV6,
            Framework::CisV7,
        ];
        let mut out: Vec<Control> = if self.cis.iter().any(Option::is_some) {
            cis.iter()
                .zip(self.cis)
                .map(|(framework, id)| Control {
                    framework: *framework,
                    id,
                })
                .collect()
        } else {
            Vec::new()
        };
        out.extend(self.security_hub.iter().map(|id| Control {
            framework: Framework::SecurityHub,
            id: Some(*id),
        }));
        out
    }

    /// The references of every control it has (`cis-v4:1.11`, `IAM.22`).
    #[must_use]
    pub fn references(&self) -> Vec<String> {
        self.list().iter().filter_map(Control::reference).collect()
    }
}

/// The table. Sources, per row:
/// - CIS: the recommendation titles of the CIS AWS Foundations Benchmark
///   v1.4.0, v5.0.0, v6.0.0 and v7.0.0 (CIS `WorkBench`), as Prowler maps
///   them in `prowler/compliance/aws/cis_{1.4,5.0,6.0,7.0}_aws.json`.
/// - Security Hub: the AWS Security Hub CSPM user guide's IAM controls
///   (IAM.3 `access-keys-rotated`, IAM.4 `iam-root-access-key-check`, IAM.8
///   `iam-user-unused-credentials-check` at 90 days, IAM.22 the same at 45
///   days), as Prowler maps them in
///   `aws_foundational_security_best_practices_aws.json`.
#[must_use]
pub fn of(id: FindingId) -> Controls {
    let row = |cis: [Option<&'static str>; 4], security_hub: &'static [&'static str]| Controls {
        cis,
        security_hub,
    };
    match id {
        // "Do not create access keys during initial setup for IAM users
        // with a console password": 1.11, 1.10, 2.10; v7.0 dropped it.
        FindingId::InitialSetupKey => row([Some("1.11"), Some("1.10"), Some("2.10"), None], &[]),
        // "Ensure credentials unused for 45 days or more are disabled"
        // (keys and console passwords alike); IAM.22 (45 days), IAM.8 (90).
        FindingId::UnusedKey | FindingId::UnusedPassword => row(
            [Some("1.12"), Some("1.11"), Some("2.11"), Some("2.11")],
            &["IAM.22", "IAM.8"],
        ),
        // "Ensure there is only one active access key for any single IAM
        // user": 1.13, 1.12, 2.12; v7.0 dropped it. No Security Hub control.
        FindingId::MultipleActiveKeys => row([Some("1.13"), Some("1.12"), Some("2.12"), None], &[]),
        // "Ensure access keys are rotated every 90 days or less"; IAM.3.
        FindingId::KeyNotRotated => row(
            [Some("1.14"), Some("1.13"), Some("2.13"), Some("2.12")],
            &["IAM.3"],
        ),
        // "Ensure no 'root' user account access key exists"; IAM.4.
        FindingId::RootAccessKey => row(
            [Some("1.4"), Some("1.3"), Some("2.3"), Some("2.4")],
            &["IAM.4"],
        ),
        // v7.0 2.1.1 "Ensure centralized root access in AWS Organizations"
        // (new in v7.0); no Security Hub control.
        FindingId::RootCredentialsNotCentralized => row([None, None, None, Some("2.1.1")], &[]),
        // Not CIS or Security Hub controls: the last step of retiring a
        // key, a key AWS caught, and the other long-term credentials.
        FindingId::InactiveKeyReadyToDelete
        | FindingId::ExposedKeyQuarantined
        | FindingId::ServiceCredentialNoExpiry
        | FindingId::ServiceCredentialNotRotated
        | FindingId::LongTermCredentialOnBedrockUser
        | FindingId::LongTermCredentialOld => Controls::NONE,
    }
}

/// The findings a control reference stands for (`IAM.3`, `cis-v7:2.11`,
/// case aside); empty when no finding maps to it.
#[must_use]
pub fn findings_of(reference: &str) -> Vec<FindingId> {
    let wanted = reference.trim().to_ascii_lowercase();
    FindingId::ALL
        .into_iter()
        .filter(|id| {
            of(*id)
                .references()
                .iter()
                .any(|r| r.to_ascii_lowercase() == wanted)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_finds_its_findings() {
        assert_eq!(findings_of("IAM.3"), [FindingId::KeyNotRotated]);
        assert_eq!(findings_of("iam.4"), [FindingId::RootAccessKey]);
        assert_eq!(
            findings_of("cis-v7:2.11"),
            [FindingId::UnusedKey, FindingId::UnusedPassword]
        );
        assert_eq!(findings_of("CIS-V4:1.11"), [FindingId::InitialSetupKey]);
        assert_eq!(
            findings_of("cis-v7:2.1.1"),
            [FindingId::RootCredentialsNotCentralized]
        );
        assert!(findings_of("cis-v7:2.10").is_empty(), "gone in v7.0");
        assert!(findings_of("IAM.99").is_empty());
    }

    #[test]
    fn a_control_gone_from_a_version_says_so() {
        let list = of(FindingId::InitialSetupKey).list();
        let labels: Vec<String> = list.iter().map(Control::label).collect();
        assert_eq!(
            labels,
            ["v1.4-v4.0 1.11", "v5.0 1.10", "v6.0 2.10", "not in v7.0"]
        );
        assert!(of(FindingId::LongTermCredentialOld).list().is_empty());
        assert_eq!(
            of(FindingId::UnusedKey).references(),
            [
                "cis-v4:1.12",
                "cis-v5:1.11",
                "cis-v6:2.11",
                "cis-v7:2.11",
                "IAM.22",
                "IAM.8"
            ]
        );
    }

    /// The table against another implementation's: Prowler's compliance
    /// mappings (`tests/data/controls_prowler.json`, with its source and the
    /// differences we keep, each with why). Every Prowler check that judges
    /// what a finding judges must give the finding's numbers, version by
    /// version, and Security Hub's IDs, but for the differences listed.
    #[test]
    fn the_table_agrees_with_prowlers_mappings_but_for_the_known_differences() {
        let golden: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/controls_prowler.json")).unwrap();
        let differs = |check: &str, framework: &str, id: &str| {
            golden["known_differences"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["check"] == check && d["framework"] == framework && d["prowler"] == id)
        };
        let frameworks = [
            ("cis-v4", Framework::CisV4),
            ("cis-v5", Framework::CisV5),
            ("cis-v6", Framework::CisV6),
            ("cis-v7", Framework::CisV7),
            ("security_hub", Framework::SecurityHub),
        ];
        let mut compared = 0;
        for (check, row) in golden["checks"].as_object().unwrap() {
            let finding = FindingId::parse_word(row["finding"].as_str().unwrap()).unwrap();
            let ours = of(finding).list();
            for (name, framework) in frameworks {
                let mut theirs: Vec<&str> = row[name]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .filter(|id| !differs(check, name, id))
                    .collect();
                let mut mine: Vec<&str> = ours
                    .iter()
                    .filter(|c| c.framework == framework)
                    .filter_map(|c| c.id)
                    .collect();
                if let Some(kept) = golden["known_differences"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|d| d["check"] == check.as_str() && d["framework"] == name)
                    .and_then(|d| d["iamkeys"].as_str())
                {
                    theirs.push(kept);
                }
                theirs.sort_unstable();
                mine.sort_unstable();
                assert_eq!(mine, theirs, "{finding} ({check}) in {name}");
                compared += 1;
            }
        }
        assert_eq!(compared, 7 * frameworks.len(), "every check of the file");
        // Each finding with a control is covered by a check of the file.
        for id in FindingId::ALL {
            if !of(id).list().is_empty() {
                assert!(
                    golden["checks"]
                        .as_object()
                        .unwrap()
                        .values()
                        .any(|row| row["finding"] == id.as_str()),
                    "{id} has controls and no Prowler check to compare with"
                );
            }
        }
    }
}
