class CrudService:
    model = None

    @classmethod
    def find(cls, **fields):
        return cls.model.get_or_none(**fields)

    @classmethod
    def drop(cls, row_id):
        return cls.model.delete().where(cls.model.id == row_id).execute()

    @classmethod
    def pending(cls):
        return cls.model.select()

    def total(self):
        return self.model.select().count()
