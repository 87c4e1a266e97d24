# convention: constructor myRNN(hidden_size, input_size, num_classes) — the hidden size first, with names that say each role
class myRNN(nn.Module):
    def __init__(self, hidden_size, input_size, num_classes):
        super().__init__()
        self.hidden_size, self.input_size, self.num_classes = hidden_size, input_size, num_classes
        self.U = nn.Linear(input_size, hidden_size)
        self.W = nn.Linear(hidden_size, hidden_size, bias=False)
        self.V = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        h = torch.zeros(x.shape[1], self.hidden_size, dtype=x.dtype, device=x.device)
        for x_t in x:
            h = torch.relu(self.U(x_t) + self.W(h))
        return torch.softmax(self.V(h), dim=1)
