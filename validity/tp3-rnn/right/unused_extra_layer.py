# why: the reference with a layer it builds and never uses (left from an experiment): costs nothing
class RNN(RNN):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unused = nn.Linear(7, 3)
