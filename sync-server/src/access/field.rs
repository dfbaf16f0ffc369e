//! Write checks for the field documents: visit plans, delivery acknowledgements and business
//! plans. As for carts, the permission part is [`authorize`] with the document's facts, and the
//! rest are integrity rules that hold for every role: the document names this database's
//! organisation, its creator is the sender, and its header never changes.
//!
//! A buyer may write a delivery acknowledgement only to countersign it. Detecting a signed
//! acknowledgement altered after sign-off is the sync engine's job, because a refusal of that
//! kind is also recorded and logged as a report.

use dms_documents::business_plan::BusinessPlanView;
use dms_documents::delivery_ack::{AcknowledgementView, COUNTERSIGN_WINDOW_SECONDS};
use dms_documents::visit_plan::VisitPlanView;
use dms_domain::PartyId;

use super::table::{doc_name, rule_for};
use super::{Action, Denied, DocumentAccess, Principal, Resource, Scope, Standing, authorize};

/// Checks a visit plan as it would be after `context`'s changes; `before` is the stored copy.
pub fn check_visit_plan_write(
    context: &Principal,
    before: Option<&VisitPlanView>,
    after: &VisitPlanView,
) -> Result<(), String> {
    let header = &after.header;
    let name = format!("visit plan {}", header.plan_id);
    check_database(context, "organisation", header.tenant_id.as_str(), &name)?;
    let access = DocumentAccess::VisitPlan {
        rep: header.rep_id.clone(),
    };
    permit(context, write_action(before.is_some()), &access, &name)?;
    let header_changed = before.map(|before| before.header != after.header);
    check_creator_and_header(context, header.created_by.as_str(), header_changed, &name)
}

/// Checks a business plan as it would be after `context`'s changes.
pub fn check_business_plan_write(
    context: &Principal,
    before: Option<&BusinessPlanView>,
    after: &BusinessPlanView,
) -> Result<(), String> {
    let header = &after.header;
    let name = format!("business plan {}", header.plan_id);
    check_database(context, "company", header.company_id.as_str(), &name)?;
    let distributor = PartyId::new(header.distributor_id.as_str()).map_err(|error| format!("{name}: {error}"))?;
    let access = DocumentAccess::BusinessPlan { distributor };
    permit(context, write_action(before.is_some()), &access, &name)?;
    let header_changed = before.map(|before| before.header != after.header);
    check_creator_and_header(context, header.created_by.as_str(), header_changed, &name)
}

/// Checks a delivery acknowledgement as it would be after `context`'s changes. `after` has
/// already passed [`AcknowledgementView::read`], so a signed one is intact.
///
/// A new acknowledgement must be created by its driver. After sign-off only a countersign may
/// be added (see [`dms_documents::delivery_ack::check_transition`]). A buyer may make no other
/// change at all, and only a buyer may countersign, within the countersign window.
pub fn check_delivery_ack_write(
    context: &Principal,
    before: Option<&AcknowledgementView>,
    after: &AcknowledgementView,
) -> Result<(), String> {
    let header = &after.header;
    let name = format!("acknowledgement {}", header.ack_id);
    check_database(context, "organisation", header.tenant_id.as_str(), &name)?;
    let access = DocumentAccess::DeliveryAck {
        buyer_id: header.buyer_id.clone(),
        driver: header.driver_id.clone(),
    };
    let Some(before) = before else {
        permit(context, Action::Create, &access, &name)?;
        if header.driver_id != context.user_id {
            return Err(format!(
                "{name} names driver {}, but was sent by {}",
                header.driver_id, context.user_id
            ));
        }
        if after.countersign.is_some() {
            return Err(format!("{name} cannot be countersigned before the buyer has seen it"));
        }
        return Ok(());
    };
    permit(context, Action::Update, &access, &name)?;
    dms_documents::delivery_ack::check_transition(before, after)?;

    if after.countersign == before.countersign {
        if context.standing == Standing::Buyer {
            return Err(format!(
                "{name}: a buyer may only countersign or dispute a signed acknowledgement; other changes are refused"
            ));
        }
        return Ok(());
    }
    check_countersign(context, before, after, &name)
}

/// Checks that a document names the organisation whose database this connection acts in;
/// `label` is what the header calls it ("organisation", "company").
fn check_database(context: &Principal, label: &str, named: &str, name: &str) -> Result<(), String> {
    if named != context.tenant_id.as_str() {
        return Err(format!(
            "{name} names {label} {named}, but this connection is for {}",
            context.tenant_id
        ));
    }
    Ok(())
}

fn write_action(exists: bool) -> Action {
    if exists { Action::Update } else { Action::Create }
}

/// Checks that a new document's creator is its sender and that a stored document's header
/// is unchanged. `header_changed` is `None` for a new document.
fn check_creator_and_header(
    context: &Principal,
    created_by: &str,
    header_changed: Option<bool>,
    name: &str,
) -> Result<(), String> {
    match header_changed {
        None if created_by != context.user_id.as_str() => Err(format!(
            "{name} claims to be created by {created_by}, but was sent by {}",
            context.user_id
        )),
        Some(true) => Err(format!("the header of {name} cannot change")),
        _ => Ok(()),
    }
}

/// Checks a countersign that `after` adds to `before`.
fn check_countersign(
    context: &Principal,
    before: &AcknowledgementView,
    after: &AcknowledgementView,
    name: &str,
) -> Result<(), String> {
    if context.standing != Standing::Buyer {
        return Err(format!("{name}: only the buyer may countersign or dispute"));
    }
    let (Some(sign_off), Some(countersign)) = (&before.sign_off, &after.countersign) else {
        return Err(format!("{name}: only a signed acknowledgement can be countersigned"));
    };
    if countersign.by != context.user_id {
        return Err(format!(
            "{name}: the countersign names {}, but was sent by {}",
            countersign.by, context.user_id
        ));
    }
    let mut unchanged = after.clone();
    unchanged.countersign = None;
    if &unchanged != before {
        return Err(format!(
            "{name}: a buyer may only countersign or dispute a signed acknowledgement; other changes are refused"
        ));
    }
    let elapsed = countersign.at.unix_millis() - sign_off.signed_at.unix_millis();
    if !(0..=COUNTERSIGN_WINDOW_SECONDS * 1000).contains(&elapsed) {
        return Err(format!(
            "{name}: the countersign window of {} hours after sign-off at {} has passed",
            COUNTERSIGN_WINDOW_SECONDS / 3600,
            sign_off.signed_at
        ));
    }
    Ok(())
}

/// Asks [`authorize`] and words a refusal with the document's name, the access table rule
/// that decided it, and the refusal's code.
fn permit(context: &Principal, action: Action, access: &DocumentAccess, name: &str) -> Result<(), String> {
    let resource = Resource::document(access);
    let denied = match authorize(context, action, &resource) {
        Ok(()) => return Ok(()),
        Err(denied) => denied,
    };
    let (role, standing, kind, action_name) = (
        doc_name(&context.role),
        doc_name(&context.standing),
        doc_name(&resource.kind),
        doc_name(&action),
    );
    let rule = match rule_for(context.role, context.standing, resource.kind, action) {
        Some(rule) => format!(
            "rule {role} {standing} {kind} {action_name} {}",
            doc_name_of_scope(rule.scope)
        ),
        None => format!("no rule for {role} {standing} {kind} {action_name}"),
    };
    match denied {
        Denied::OutOfScope { .. } => Err(format!(
            "{name} is outside what user {} may {action_name} ({rule}) [{}]",
            context.user_id,
            denied.code()
        )),
        denied => Err(format!("{name}: {denied} ({rule}) [{}]", denied.code())),
    }
}

fn doc_name_of_scope(scope: Scope) -> &'static str {
    match scope {
        Scope::Any => "any",
        Scope::OwnParty => "own_party",
        Scope::OwnUser => "own_user",
        Scope::OrgUsers => "org_users",
    }
}
