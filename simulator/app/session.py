"""What one browser session has picked on the page: the Solara reactives that the panels and
the page share (selected institution, filters, the scenario picked, "run to month").
"""

from __future__ import annotations

import solara

from simulator import views
from simulator.app.params import DEFAULT_SEED, initial_scenario_name
from simulator.model import ContagionModel

# Module-level reactives are per browser session (Solara scopes them per kernel).
selected_name = solara.reactive("")  # institution shown in the inspector and ringed in the network
highlight_choice = solara.reactive("no circular deals")
event_kind = solara.reactive("all kinds")
event_institution = solara.reactive("all institutions")
event_all_months = solara.reactive(False)
debtrank_method = solara.reactive("linear")
run_to_month = solara.reactive(24)
run_message = solara.reactive("")
chosen_scenario = solara.reactive("")  # "" = initial_scenario_name(); set by the scenario picker
chosen_seed = solara.reactive(DEFAULT_SEED)  # the seed a newly picked scenario starts with


def session_scenario() -> str:
    return chosen_scenario.value or initial_scenario_name()


def current_selection(model: ContagionModel) -> str:
    """The selected institution if it exists in this model, else the model's starting focus."""
    name = selected_name.value
    if name in model.index_of:
        return name
    setup = getattr(model, "setup", None)  # an AppModel's; a plain ContagionModel has none
    return setup.focus if setup is not None else views.default_focus(model)
