document.getElementById('greeting').textContent = 'hello from ' + 'vite';
