//! "朋友的预约": the friends' bookings of the person's scope (`GET /api/referrals/bookings` for
//! the view's range, survey and store), newest first, so the store calls each friend back: the
//! friend's name (称呼), the day they would like to come, the store and advisor, who referred
//! them, and the phone as the collector sent it: masked with "显示号码" (a logged reveal,
//! `cases::reveal::Reveal` on `referrals/bookings`), said to be removed after its retention, or
//! nothing for an analyst. The collector owns the scope: nothing here filters a row.

use std::rc::Rc;

use nps_core::contract::context::Dimension;
use yew::prelude::*;

use crate::funnel::bookings::{self, Booking, Phone};
use crate::funnel::Ask;
use crate::web::app::View;
use crate::web::cases::reveal::Reveal;
use crate::words::Word;

#[derive(Properties, PartialEq)]
pub struct ListProps {
    pub view: Rc<View>,
    pub rows: Rc<Vec<Booking>>,
}

/// One booking's line.
fn item(v: &Rc<View>, b: &Booking) -> Html {
    let name = b
        .friend_name
        .clone()
        .unwrap_or_else(|| v.t(Word::BookingNoName).to_owned());
    let date = match b.date(v.locale) {
        Some(d) => v.fill(Word::BookingDate, &[("date", &d)]),
        None => v.t(Word::BookingNoDate).to_owned(),
    };
    let mut about: Vec<String> = Vec::new();
    about.extend(b.store.as_deref().map(|s| v.label(Dimension::Store, s)));
    about.extend(b.advisor.as_deref().map(|a| v.label(Dimension::Advisor, a)));
    about.extend(
        b.promoter_name
            .as_deref()
            .map(|n| v.fill(Word::BookingPromoter, &[("name", n)])),
    );
    let phone = match &b.phone {
        Phone::Masked(masked) => html! {
            <Reveal view={v.clone()} of="referrals/bookings" id={b.id.clone()} masked={masked.clone()} />
        },
        // A brand's own report never carried a phone: its system has the contact.
        Phone::Gone if b.via == "api" => {
            html! { <span class="muted small via">{ v.t(Word::BookingViaBrand) }</span> }
        }
        Phone::Gone => {
            html! { <span class="muted small gone">{ v.t(Word::BookingPhoneGone) }</span> }
        }
        Phone::NotShown => html! {},
    };
    html! {
        <li data-id={b.id.clone()}>
            <div>
                <p class="friend"><strong>{ name }</strong>{ " · " }<span class="date">{ date }</span></p>
                <p class="muted small">{ about.join(" · ") }</p>
                { phone }
            </div>
        </li>
    }
}

/// Bookings listed at first, and added by each "show more": the newest are the ones to call.
pub const PAGE: usize = 10;

/// The bookings as listed, `PAGE` at a time.
#[component]
pub fn BookingList(props: &ListProps) -> Html {
    let v = &props.view;
    let shown = use_state(|| PAGE);
    if props.rows.is_empty() {
        return html! { <p class="empty">{ v.t(Word::NoBookings) }</p> };
    }
    let left = props.rows.len().saturating_sub(*shown);
    let more = {
        let shown = shown.clone();
        Callback::from(move |_| shown.set(*shown + PAGE))
    };
    let k = left.min(PAGE).to_string();
    html! {
        <>
            <ul class="list bookings">{ for props.rows.iter().take(*shown).map(|b| item(v, b)) }</ul>
            if left > 0 {
                <button type="button" class="more" onclick={more}>
                    { v.fill(Word::BookingsMore, &[("k", &k), ("left", &left.to_string())]) }
                </button>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: Rc<View>,
    pub ask: Ask,
}

/// The section's part: asks the collector whenever the range, survey or store changes.
#[component]
pub fn Bookings(props: &Props) -> Html {
    let v = &props.view;
    let path = format!("referrals/bookings?{}", props.ask.bookings());
    let rows = super::use_asked(v, path, bookings::from_json);
    let body = super::loaded(
        v,
        &rows,
        |list| html! { <BookingList view={v.clone()} rows={list} /> },
    );
    html! {
        <div class="friend-bookings">
            <h3 id="bookings-h">{ v.t(Word::Bookings) }</h3>
            <p class="muted small">{ v.t(Word::BookingsHint) }</p>
            { body }
        </div>
    }
}
