"""Nothing in the learning library is deleted: documents (with their original bytes), cases, questions,
answers, recommendations, actions, evidence and replay results. Originals, answers and evidence are never
edited either: a new answer is a new row."""

from django.db import migrations

from watchkeeper.core.protect import refuse

KEPT = ["document", "case", "casetheme", "keyquestion", "answer", "recommendation", "recommendationaction",
        "evidence", "replayresult", "learningsetting"]


class Migration(migrations.Migration):
    dependencies = [("learning", "0002_search_index")]

    operations = [
        refuse(
            *[(f"learning_{name}", "DELETE", "K1: the learning library keeps everything; nothing is deleted")
              for name in KEPT],
            ("learning_document", "UPDATE", "K1: a stored document never changes; upload a new version"),
            ("learning_answer", "UPDATE", "K3: an answer is never edited; record a new answer"),
            ("learning_evidence", "UPDATE", "K2: evidence is never edited; add new evidence"),
        )
    ]
