from datetime import timedelta

from django.utils import timezone

from agents.models import Document


class SocketQuota:
    def __init__(self, limit: int) -> None:
        self.limit = limit

    def check_socket_quota(self, agent_id: int) -> None:
        since = timezone.now() - timedelta(minutes=1)
        used = Document.objects.filter(agent_id=agent_id, created__gte=since).count()
        if used >= self.limit:
            raise PermissionError("quota exceeded")
        Document.objects.create(agent_id=agent_id, title="request")

    def check_batch_quota(self, agent_id: int) -> None:
        if Document.objects.filter(agent_id=agent_id).count() >= self.limit:
            raise PermissionError("quota exceeded")

    def count_documents(self, agent_id: int) -> int:
        return Document.objects.filter(agent_id=agent_id).count()
