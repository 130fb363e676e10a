//! All widget state in one place: the pure survey flow plus what the network said.

use std::rc::Rc;

use yew::Reducible;

use crate::flow::{Event, Survey};
use crate::outbox::Status;
use crate::payload::Stage;

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
    /// A modal or slide-in is showing (after `delay_ms`).
    pub open: bool,
}

/// The verbs.
pub enum Action {
    /// Something the customer did.
    Flow(Event),
    /// Something the outbox said.
    Net(Status),
    /// Show a delayed modal or slide-in.
    Open,
}

impl State {
    /// `resumed` is the score of a response continued after a reload.
    pub fn new(already_answered: bool, open: bool, resumed: Option<u8>) -> State {
        State {
            survey: resumed.map_or_else(|| Survey::new(already_answered), Survey::resume),
            posts: 0,
            stage: None,
            net: None,
            open,
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
            Action::Open => next.open = true,
        }
        if next == *self {
            self
        } else {
            Rc::new(next)
        }
    }
}
