//! All widget state in one place: the pure survey flow plus what the network said.

use std::rc::Rc;

use yew::Reducible;

use crate::contract::payload::Stage;
use crate::outbox::Status;
use crate::survey::flow::{Event, Screen, Survey};

/// One widget's state.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub survey: Survey,
    /// Bumped for every post the flow asks for; an effect watches it.
    pub posts: u32,
    /// The stage of the latest post.
    pub stage: Option<Stage>,
    /// The latest word from the outbox.
    pub net: Option<Status>,
    /// Showing: at once, or since its trigger fired.
    pub open: bool,
    /// A fresh response is wanted (a click reopened a closed survey); `Some(answered)`.
    pub restart: Option<bool>,
    /// Began as "already answered".
    pub answered_before: bool,
}

/// The verbs.
pub enum Action {
    /// Something the customer did.
    Flow(Event),
    /// Something the outbox said.
    Net(Status),
    /// The trigger fired, or `NpsWidget.show()`: open; a closed survey starts afresh.
    Show,
}

impl State {
    /// `resumed` is the score of a response continued after a reload.
    pub fn new(
        already_answered: bool,
        open: bool,
        resumed: Option<crate::scoring::score::Score>,
    ) -> State {
        State {
            survey: resumed.map_or_else(|| Survey::new(already_answered), Survey::resume),
            posts: 0,
            stage: None,
            net: None,
            open,
            restart: None,
            answered_before: already_answered,
        }
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Flow(event) => {
                if let Some(stage) = next.survey.apply(event) {
                    next.posts += 1;
                    next.stage = Some(stage);
                }
            }
            Action::Net(status) => {
                if status == Status::Answered {
                    next.survey.apply(Event::Answered);
                }
                next.net = Some(status)
            }
            Action::Show if next.survey.screen == Screen::Dismissed => {
                next.restart = Some(next.answered_before || next.survey.score.is_some())
            }
            Action::Show => next.open = true,
        }
        if next == *self {
            self
        } else {
            Rc::new(next)
        }
    }
}
