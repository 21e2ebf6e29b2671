import boto3
import redis
import redis.asyncio as aioredis
from elasticsearch import AsyncElasticsearch, Elasticsearch
from motor.motor_asyncio import AsyncIOMotorClient
from pymongo import MongoClient

cache = redis.Redis(host="cache")
async_cache = aioredis.Redis(host="cache")
search = Elasticsearch("http://search:9200")
async_search = AsyncElasticsearch("http://search:9200")
mongo = MongoClient("mongodb://mongo")
motor = AsyncIOMotorClient("mongodb://mongo")


def load_document(doc_id: str) -> dict | None:
    return mongo["rag"]["documents"].find_one({"_id": doc_id})


class Archive:
    def __init__(self) -> None:
        self.collection = mongo["rag"]["documents"]
        self.s3 = boto3.Session().client("s3")
