//! rlimits set on the command just before exec (soft = hard, so the command cannot raise them).

use serde::{Deserialize, Serialize};

use crate::spec::Limits;

/// The resources hardclaw limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Resource {
    /// `RLIMIT_CPU` (seconds).
    Cpu,
    /// `RLIMIT_AS` (bytes).
    As,
    /// `RLIMIT_NPROC`.
    Nproc,
    /// `RLIMIT_FSIZE` (bytes).
    Fsize,
    /// `RLIMIT_NOFILE`.
    Nofile,
    /// `RLIMIT_CORE` (bytes; always 0).
    Core,
}

/// One limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rlimit {
    /// Which resource.
    pub resource: Resource,
    /// Soft and hard limit.
    pub value: u64,
}

/// The rlimits for `limits`.
pub fn rlimits(limits: &Limits) -> Vec<Rlimit> {
    let r = |resource, value| Rlimit { resource, value };
    vec![
        r(Resource::Cpu, limits.cpu_seconds),
        r(Resource::As, limits.address_space),
        r(Resource::Nproc, limits.processes),
        r(Resource::Fsize, limits.file_size),
        r(Resource::Nofile, limits.open_files),
        r(Resource::Core, 0),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let v = rlimits(&Limits::default());
        assert_eq!(
            v,
            vec![
                Rlimit {
                    resource: Resource::Cpu,
                    value: 120
                },
                Rlimit {
                    resource: Resource::As,
                    value: 4 << 30
                },
                Rlimit {
                    resource: Resource::Nproc,
                    value: 256
                },
                Rlimit {
                    resource: Resource::Fsize,
                    value: 256 << 20
                },
                Rlimit {
                    resource: Resource::Nofile,
                    value: 1024
                },
                Rlimit {
                    resource: Resource::Core,
                    value: 0
                },
            ]
        );
    }
}
