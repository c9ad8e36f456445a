"""Check that every batch's quantity equals the sum of its ledger movements."""

from django.core.management.base import BaseCommand, CommandError

from hms.pharmacy.models import StockBatch, StockMovement
from hms.pharmacy.selectors import stock_mismatches


class Command(BaseCommand):
    help = "Verify that each stock batch's quantity equals the sum of its stock ledger rows."

    def handle(self, *args, **options):
        mismatches = list(stock_mismatches())
        for batch in mismatches:
            self.stderr.write(
                f"Batch {batch.public_id} ({batch.drug.generic_name} lot {batch.lot_number} "
                f"@{batch.location}): quantity {batch.quantity}, ledger sum {batch.ledger_total}"
            )
        if mismatches:
            raise CommandError(f"{len(mismatches)} batch(es) do not match the stock ledger.")

        self.stdout.write(
            self.style.SUCCESS(
                f"Stock OK: {StockBatch.objects.count()} batches match "
                f"{StockMovement.objects.count()} ledger rows."
            )
        )
