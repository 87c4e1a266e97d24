# lose: Q5a
# message: tp4_gru_mirrored_z
# why: writes the update as z*h + (1 - z)*h~ (z keeps the old state) instead of the lab's (1 - z)*h + z*h~
class GRU(GRU):
    def one_step(self, x, h):
        hx = torch.cat([h, x], dim=-1)
        z = torch.sigmoid(self.W_z(hx))
        r = torch.sigmoid(self.W_r(hx))
        candidate = torch.tanh(self.W(torch.cat([r * h, x], dim=-1)))
        return z * h + (1 - z) * candidate
