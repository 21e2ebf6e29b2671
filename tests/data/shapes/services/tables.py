import peewee

catalog = peewee.SqliteDatabase("catalog.db")


class Record(peewee.Model):
    class Meta:
        database = catalog


class Recipe(Record):
    title = peewee.CharField()
    steps = peewee.TextField()


class Draft:
    @classmethod
    def get(cls, **fields: str) -> dict:
        return dict(fields)
