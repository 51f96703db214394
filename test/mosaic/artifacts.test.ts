import { expect } from 'chai';
import { libraryPlaceholder, linkedBytecode } from '../../src/mosaic/artifacts';

describe('Mosaic artifacts', () => {
  it('builds 40-character old-style library placeholders', () => {
    expect(libraryPlaceholder('MessageBus')).to.equal('__MessageBus____________________________');
    expect(libraryPlaceholder('MessageBus')).to.have.length(40);
  });

  it('links every library and refuses bytecode with a library left unlinked', () => {
    const address = '0x1234567890abcdef1234567890abcdef12345678';
    expect(() => linkedBytecode('EIP20Gateway', { MessageBus: address })).to.throw(/needs library GatewayLib/);
    const linked = linkedBytecode('EIP20Gateway', { MessageBus: address, GatewayLib: address });
    expect(linked).to.match(/^0x[0-9a-f]+$/);
    expect(linked).to.contain(address.slice(2));
  });
});
