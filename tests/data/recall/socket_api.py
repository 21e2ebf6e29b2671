from asgiref.sync import sync_to_async

from agents.quota import SocketQuota

quota = SocketQuota(limit=10)


async def chat_socket(agent_id: int) -> None:
    quota.check_socket_quota(agent_id)  # the sync method runs its queries on the event loop


async def batch_socket(agent_id: int) -> None:
    await sync_to_async(quota.check_batch_quota)(agent_id)  # negative: handed to a thread


def nightly_report(agent_id: int) -> int:
    return quota.count_documents(agent_id)  # negative: called from sync code only
