"""Demo reporting: build the daily summaries once every other module's demo data exists, so
the reports and dashboards open on summarised history."""

from hms.core.demo import register_demo_loader
from hms.reporting import summaries


@register_demo_loader(order=90, name="reporting")  # last: it summarises what the others made
def load_demo_reporting() -> str:
    stats = summaries.refresh()
    return f"{stats.total_days} summary days built ({', '.join(summaries.summary_names())})"
