//! The business's book of customers: registering a customer and changing one, each one step
//! that keeps the book free of unnoticed duplicates, and erasing one.
//!
//! - this module: the steps [`register`] and [`update`], and why they refuse
//!   ([`CustomerBookError`]).
//! - [`contacts`]: who holds which phone and email (`customer_contacts`), beside the events.
//! - [`erasure`]: [`erase`], a customer's personal data made unreadable everywhere.
//!
//! A step runs in one transaction: it reads the business (its country: how a phone typed in
//! national format is read) and the customer in one statement, lets the Customer aggregate
//! decide, takes the phone and email the decision records (locking them, then refusing
//! `PossibleDuplicate` if another customer holds one, unless the request allows it), writes
//! `customer_contacts` and appends the events. A refusal or a conflict writes nothing; two steps
//! taking one phone at once are decided one after the other, so only one of them is the first.

pub mod contacts;
pub mod erasure;

use domain::business::Business;
use domain::customer::{
    Customer, CustomerCommand, CustomerDetails, CustomerProfile, CustomerRefusal, ProfileChanges,
};
use events::EventMetadata;
use uuid::Uuid;

use crate::store::{CommandError, Committed, EventStore, Known, Unrecorded};
pub use contacts::ContactKind;
use contacts::Contacts;
pub use erasure::erase;

/// How often a step is decided again after another writer changed the customer meanwhile.
const ATTEMPTS: usize = 5;

/// A customer to put on the books.
#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub customer_id: Uuid,
    pub tenant_id: Uuid,
    pub profile: CustomerProfile,
    pub details: CustomerDetails,
    /// Register even if another customer has the phone or email (a parent and a child
    /// sharing one phone).
    pub allow_duplicate: bool,
}

/// A change to a customer on the books; parts left `None` stay as they are.
#[derive(Debug, Clone)]
pub struct CustomerChange {
    pub customer_id: Uuid,
    pub tenant_id: Uuid,
    pub profile: ProfileChanges,
    pub details: CustomerDetails,
    /// Take a phone or email another customer has all the same.
    pub allow_duplicate: bool,
}

/// Why a step on the book was not taken.
#[derive(Debug, thiserror::Error)]
#[cfg_attr(
    test,
    derive(strum::EnumDiscriminants),
    strum_discriminants(derive(strum::EnumIter))
)]
pub enum CustomerBookError {
    #[error(
        "another customer of the business has this {contact} ({existing_customer_id}); \
         send \"allow_duplicate\": true to record it anyway"
    )]
    PossibleDuplicate {
        existing_customer_id: Uuid,
        contact: ContactKind,
    },
    #[error(transparent)]
    Customer(CustomerRefusal),
    #[error("the records kept changing while the step was decided; retry")]
    Conflict,
    #[error("the step could not be recorded: {0}")]
    Store(Box<dyn std::error::Error + Send + Sync>),
}

impl From<sqlx::Error> for CustomerBookError {
    fn from(err: sqlx::Error) -> Self {
        Self::Store(Box::new(err))
    }
}

impl From<cqrs_es::persist::PersistenceError> for CustomerBookError {
    fn from(err: cqrs_es::persist::PersistenceError) -> Self {
        Self::Store(Box::new(err))
    }
}

impl From<Unrecorded> for CustomerBookError {
    fn from(err: Unrecorded) -> Self {
        match err {
            Unrecorded::Conflict => Self::Conflict,
            Unrecorded::Store(e) => Self::Store(e),
        }
    }
}

impl From<CommandError<CustomerRefusal>> for CustomerBookError {
    fn from(err: CommandError<CustomerRefusal>) -> Self {
        match err {
            CommandError::Refused(e) => Self::Customer(e),
            CommandError::Conflict => Self::Conflict,
            CommandError::Store(e) => Self::Store(e),
        }
    }
}

/// Puts a customer on the business's books.
#[tracing::instrument(skip_all, fields(customer_id = %request.customer_id))]
pub async fn register(
    store: &EventStore,
    request: NewCustomer,
    metadata: &EventMetadata,
) -> Result<Committed, CustomerBookError> {
    run(store, &request, metadata).await
}

/// Changes a customer's profile, tags, preferences or consent.
#[tracing::instrument(skip_all, fields(customer_id = %request.customer_id))]
pub async fn update(
    store: &EventStore,
    request: CustomerChange,
    metadata: &EventMetadata,
) -> Result<Committed, CustomerBookError> {
    run(store, &request, metadata).await
}

/// What a step on one customer is: its ids, whether it may duplicate a contact, and its command
/// once the business's country is known.
trait Step {
    fn ids(&self) -> (Uuid, Uuid);
    fn allow_duplicate(&self) -> bool;
    /// The id was generated for this step: there is no customer to read.
    fn new_record(&self) -> bool;
    fn command(&self, country: Option<String>) -> CustomerCommand;
}

impl Step for NewCustomer {
    fn ids(&self) -> (Uuid, Uuid) {
        (self.tenant_id, self.customer_id)
    }

    fn allow_duplicate(&self) -> bool {
        self.allow_duplicate
    }

    fn new_record(&self) -> bool {
        true
    }

    fn command(&self, country: Option<String>) -> CustomerCommand {
        CustomerCommand::Register {
            customer_id: self.customer_id,
            tenant_id: self.tenant_id,
            country,
            profile: self.profile.clone(),
            details: self.details.clone(),
        }
    }
}

impl Step for CustomerChange {
    fn ids(&self) -> (Uuid, Uuid) {
        (self.tenant_id, self.customer_id)
    }

    fn allow_duplicate(&self) -> bool {
        self.allow_duplicate
    }

    fn new_record(&self) -> bool {
        false
    }

    fn command(&self, country: Option<String>) -> CustomerCommand {
        CustomerCommand::Update {
            tenant_id: self.tenant_id,
            country,
            profile: self.profile.clone(),
            details: self.details.clone(),
        }
    }
}

/// Decides and records `step`, again from fresh state when the customer changed meanwhile.
async fn run(
    store: &EventStore,
    step: &impl Step,
    metadata: &EventMetadata,
) -> Result<Committed, CustomerBookError> {
    retrying(|| once(store, step, metadata)).await
}

/// Runs `attempt` until it is not a conflict, at most [`ATTEMPTS`] times.
async fn retrying<F, A>(mut attempt: F) -> Result<Committed, CustomerBookError>
where
    F: FnMut() -> A,
    A: std::future::Future<Output = Result<Committed, CustomerBookError>>,
{
    for n in 0..ATTEMPTS {
        match attempt().await {
            Err(CustomerBookError::Conflict) => {
                tracing::debug!(
                    attempt = n,
                    "the customer changed meanwhile; deciding again"
                );
            }
            outcome => return outcome,
        }
    }
    Err(CustomerBookError::Conflict)
}

/// One attempt, in one transaction: read, decide, take the contacts, append.
async fn once(
    store: &EventStore,
    step: &impl Step,
    metadata: &EventMetadata,
) -> Result<Committed, CustomerBookError> {
    let (tenant_id, customer_id) = step.ids();
    let id = customer_id.to_string();
    let mut transaction = store.pool().begin().await?;
    let mut reading = store.reading();
    let business = reading.want::<Business>(&tenant_id.to_string());
    let customer = (!step.new_record()).then(|| reading.want::<Customer>(&id));
    let newer = reading.read_on(&mut *transaction).await?;
    let country = newer.fold(business)?.country().map(str::to_owned);
    let known = match customer {
        Some(wanted) => newer.known(wanted)?,
        None => Known::new_record(),
    };
    let before = Contacts::of(&known.state);
    let mut decision = store.decision(metadata);
    let after = decision
        .decide::<Customer>(&id, known, step.command(country))
        .await?;
    let after = Contacts::of(&after);
    let taken = after.taken_since(&before);
    let holder = contacts::holder(&mut transaction, tenant_id, customer_id, &taken).await?;
    if let (Some((contact, existing_customer_id)), false) = (holder, step.allow_duplicate()) {
        return Err(CustomerBookError::PossibleDuplicate {
            existing_customer_id,
            contact,
        });
    }
    contacts::record(&mut transaction, tenant_id, customer_id, &before, &after).await?;
    let appended = decision.append_within(&mut transaction).await?;
    transaction.commit().await?;
    Ok(appended.committed())
}
