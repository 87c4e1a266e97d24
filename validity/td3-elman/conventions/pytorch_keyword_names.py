# convention: constructor myRNN(input_size, hidden_size, num_classes) — the kit's order with torch's names, only those attributes stored (no dim/latent/n_classes)
class myRNN(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_classes = num_classes
        self.input_to_hidden = nn.Linear(input_size, hidden_size)
        self.hidden_to_hidden = nn.Linear(hidden_size, hidden_size, bias=False)
        self.hidden_to_output = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        seq_len, batch_size, _ = x.size()
        h = torch.zeros(batch_size, self.hidden_size, dtype=x.dtype, device=x.device)
        for t in range(seq_len):
            h = F.relu(self.input_to_hidden(x[t]) + self.hidden_to_hidden(h))
        return F.softmax(self.hidden_to_output(h), dim=1)
