"""Every assignment graded for real: solutions, releases, wrong, unusual and hostile answers."""
