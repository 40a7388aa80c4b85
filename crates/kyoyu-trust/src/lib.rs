//! The trust model of the hub: who the members are and what each may see.
//!
//! - [`model`]: organizations, communities, memberships, roles, principals;
//! - [`seeds`]: the data files (sectors, ministries, standing communities);
//! - [`directory`]: an indexed snapshot of the members;
//! - [`policy`]: the one access policy every read path calls;
//! - [`audit`]: the hash-chained audit trail;
//! - [`net`]: CIDR ranges.
//!
//! Plain functions over data: no I/O, so the policy is tested exhaustively
//! here and the transports only ask it.

pub mod audit;
pub mod directory;
pub mod model;
pub mod net;
pub mod policy;
pub mod seeds;

pub use directory::Directory;
pub use model::{
    Community, CommunityKind, Contact, Distribution, MemberRole, Membership, Org, OrgKind,
    Principal, Role,
};
pub use policy::{Access, View};

#[cfg(test)]
mod proptests;
