# why: the reference with a layer it builds and never uses (left from an experiment): costs nothing
class myRNN(myRNN):
    def __init__(self, dim, latent, n_classes):
        super().__init__(dim, latent, n_classes)
        self.dropout_layer = nn.Linear(latent, latent)
